/**
 * Value ranges of the flow catalogue: what a reader can never legitimately produce.
 *
 * Holds: `RANGE_RULES` (negative counts, byte sizes and times, ports outside 0..65535, protocol
 * outside 0..255, ip_version not 4/6, VLAN ids outside 0..4095, unknown end reasons) and
 * `outOfRange(batch)`, the rows breaking each rule present in a batch.
 * Does not hold: null checks or thresholds (see `index.ts`).
 */
import { COLUMN_BY_NAME, END_REASONS, FLOW_COLUMNS, readNumeric, readStrings, type FlowBatch } from "@hashhound/core"

export interface NumericRule {
  readonly kind: "numeric"
  readonly column: string
  /** the allowed range, in words */
  readonly allowed: string
  readonly ok: (value: number) => boolean
}

export interface CategoryRule {
  readonly kind: "category"
  readonly column: string
  readonly allowed: string
  readonly values: ReadonlySet<string>
}

export type RangeRule = NumericRule | CategoryRule

const nonNegative = (column: string): NumericRule => ({ kind: "numeric", column, allowed: "≥ 0", ok: (v) => v >= 0 })
const integerIn = (column: string, lo: number, hi: number): NumericRule => ({
  kind: "numeric",
  column,
  allowed: `an integer in ${lo}..${hi}`,
  ok: (v) => Number.isInteger(v) && v >= lo && v <= hi
})

/** Non-negative columns: counts, bytes, lengths, gaps, durations, TCP flag counts. */
const NON_NEGATIVE = FLOW_COLUMNS.filter(
  (c) =>
    (c.group === "volume" || c.group === "packet_length" || c.group === "inter_arrival" || c.group === "tcp" || c.name === "duration_s") &&
    (c.type === "int32" || c.type === "int64" || c.type === "float64")
).map((c) => c.name)

export const RANGE_RULES: ReadonlyArray<RangeRule> = [
  integerIn("src_port", 0, 65535),
  integerIn("dst_port", 0, 65535),
  integerIn("protocol", 0, 255),
  { kind: "numeric", column: "ip_version", allowed: "4 or 6", ok: (v) => v === 4 || v === 6 },
  integerIn("vlan_id", 0, 4095),
  ...NON_NEGATIVE.map(nonNegative),
  { kind: "category", column: "end_reason", allowed: END_REASONS.join(" | "), values: new Set(END_REASONS) }
]

export interface RangeBreak {
  readonly column: string
  readonly allowed: string
  readonly rows: number
  /** one offending value, for the message */
  readonly example: string
}

/** Rows breaking each rule whose column the batch has (nulls are not breaks). */
export const outOfRange = (batch: FlowBatch): ReadonlyArray<RangeBreak> => {
  const out: Array<RangeBreak> = []
  for (const rule of RANGE_RULES) {
    if (batch.getChild(rule.column) === null || !COLUMN_BY_NAME.has(rule.column)) continue
    let rows = 0
    let example = ""
    if (rule.kind === "numeric") {
      const values = readNumeric(batch, rule.column)!
      for (let row = 0; row < values.length; row++) {
        const v = values[row]!
        if (Number.isNaN(v) || rule.ok(v)) continue
        if (rows === 0) example = String(v)
        rows++
      }
    } else {
      const values = readStrings(batch, rule.column)!
      for (const v of values) {
        if (v === null || rule.values.has(v)) continue
        if (rows === 0) example = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
        rows++
      }
    }
    if (rows > 0) out.push({ column: rule.column, allowed: rule.allowed, rows, example })
  }
  return out
}

/** Nulls per column (a column of the batch), for the null-share check. */
export const nullCount = (batch: FlowBatch, column: string): number => batch.getChild(column)?.nullCount ?? batch.numRows
