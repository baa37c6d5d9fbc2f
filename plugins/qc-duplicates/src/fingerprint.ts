/**
 * Flow fingerprints: one number per row from the columns that make a flow the same flow (key,
 * first_seen_us, counts), so duplicates can be found by sorting numbers.
 *
 * Holds: `fingerprints(batch, columns)` → Float64Array (NaN for rows where every fingerprint
 * column is null), built from two 32-bit FNV-1a style hashes combined into a 53-bit integer
 * (collisions among a billion flows are unlikely), and `countDuplicates` (rows beyond the first
 * of each fingerprint, by sorting a copy).
 * Does not hold: which rows are compared across batches and captures (see `duplicate-index.ts`).
 */
import { readNumeric, readStrings, COLUMN_BY_NAME, type FlowBatch } from "@hashhound/core"

export const DEFAULT_FINGERPRINT_COLUMNS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "first_seen_us",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes"
] as const

const bits = new Float64Array(1)
const words = new Uint32Array(bits.buffer)
const NULL_MARK = 0x9e3779b9

const mix1 = (h: number, word: number): number => Math.imul(h ^ word, 0x01000193) >>> 0
const mix2 = (h: number, word: number): number => {
  const k = Math.imul(word, 0xcc9e2d51)
  return (Math.imul(h ^ ((k << 15) | (k >>> 17)), 0x1b873593) + 0xe6546b64) >>> 0
}

type Column = { readonly kind: "number"; readonly values: Float64Array } | { readonly kind: "string"; readonly values: ReadonlyArray<string | null> }

const isStringColumn = (batch: FlowBatch, name: string): boolean => {
  const spec = COLUMN_BY_NAME.get(name)
  if (spec !== undefined) return spec.type === "utf8"
  const field = batch.schema.fields.find((f) => f.name === name)
  return field !== undefined && String(field.type) === "Utf8"
}

/** One fingerprint per row; NaN where every fingerprint column is null or absent. */
export const fingerprints = (batch: FlowBatch, columns: ReadonlyArray<string>): Float64Array => {
  const rows = batch.numRows
  const present: Array<Column> = []
  for (const name of columns) {
    if (batch.getChild(name) === null) continue
    if (isStringColumn(batch, name)) present.push({ kind: "string", values: readStrings(batch, name)! })
    else present.push({ kind: "number", values: readNumeric(batch, name)! })
  }
  const out = new Float64Array(rows)
  for (let row = 0; row < rows; row++) {
    let h1 = 0x811c9dc5
    let h2 = 0x2545f491
    let any = false
    for (let c = 0; c < present.length; c++) {
      const column = present[c]!
      if (column.kind === "number") {
        const value = column.values[row]!
        if (Number.isNaN(value)) {
          h1 = mix1(h1, NULL_MARK + c)
          h2 = mix2(h2, NULL_MARK + c)
        } else {
          any = true
          bits[0] = value
          h1 = mix1(mix1(h1, words[0]!), words[1]!)
          h2 = mix2(mix2(h2, words[0]!), words[1]!)
        }
      } else {
        const text = column.values[row]
        if (text === null || text === undefined) {
          h1 = mix1(h1, NULL_MARK + c)
          h2 = mix2(h2, NULL_MARK + c)
        } else {
          any = true
          for (let i = 0; i < text.length; i++) {
            const code = text.charCodeAt(i)
            h1 = mix1(h1, code)
            h2 = mix2(h2, code)
          }
          h1 = mix1(h1, 0xff + c)
          h2 = mix2(h2, 0xff + c)
        }
      }
    }
    // 32 bits of h1 and 21 of h2: an integer below 2^53
    out[row] = any ? h1 * 2097152 + (h2 & 0x1fffff) : Number.NaN
  }
  return out
}

/** Rows beyond the first of each fingerprint (NaN rows are ignored), and how many rows were fingerprinted. */
export const countDuplicates = (prints: Float64Array): { readonly rows: number; readonly duplicates: number } => {
  const sorted = Float64Array.from(prints.filter((p) => !Number.isNaN(p))).sort()
  let duplicates = 0
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) duplicates++
  return { rows: sorted.length, duplicates }
}
