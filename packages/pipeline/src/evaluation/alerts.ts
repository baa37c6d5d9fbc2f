/**
 * Alerts: the flows a model flags, as records for people and tools.
 *
 * Holds: `FlowKeys` (the identifying columns of scored flows), `alertRows` (rows scoring at or
 * above the threshold, highest score first), `alertRecord` (one alert: flow key, first/last seen
 * in µs and ISO 8601, capture, score, threshold, model and the top features with their
 * contributions) and the two output formats: `toJsonl` (one JSON object per line) and `toCsv`
 * (RFC 4180 quoting; the top features flattened to `top<k>_feature`, `top<k>_value`,
 * `top<k>_delta`; `csvHeader` and `toCsvRows` give the two parts for writing batch by batch).
 * Does not hold: scoring or attribution (`attribution.ts`), writing files (the CLI).
 */
import type { Contribution } from "./attribution.js"

export interface FlowKeys {
  readonly flowId: ReadonlyArray<string | null>
  readonly capture: ReadonlyArray<string | null>
  readonly srcIp: ReadonlyArray<string | null>
  readonly dstIp: ReadonlyArray<string | null>
  readonly srcPort: Float64Array
  readonly dstPort: Float64Array
  readonly protocol: Float64Array
  readonly firstSeenUs: Float64Array
  readonly lastSeenUs: Float64Array
}

export interface Alert {
  readonly flow_id: string | null
  readonly capture: string | null
  readonly src_ip: string | null
  readonly src_port: number | null
  readonly dst_ip: string | null
  readonly dst_port: number | null
  readonly protocol: number | null
  readonly first_seen_us: number | null
  readonly last_seen_us: number | null
  readonly first_seen: string | null
  readonly last_seen: string | null
  readonly score: number
  readonly threshold: number
  readonly model: string
  readonly top_features: ReadonlyArray<Contribution>
}

/** Rows with `score >= threshold` (NaN never), highest score first, ties in row order. */
export const alertRows = (scores: Float64Array, threshold: number): ReadonlyArray<number> => {
  const rows: Array<number> = []
  for (let row = 0; row < scores.length; row++) if (scores[row]! >= threshold) rows.push(row)
  return rows.sort((a, b) => scores[b]! - scores[a]! || a - b)
}

const numberOrNull = (value: number | undefined): number | null => (value === undefined || Number.isNaN(value) ? null : value)

const isoOf = (us: number | null): string | null => {
  if (us === null) return null
  const ms = Math.floor(us / 1000)
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null
}

export const alertRecord = (keys: FlowKeys, row: number, score: number, threshold: number, model: string, top: ReadonlyArray<Contribution>): Alert => {
  const first = numberOrNull(keys.firstSeenUs[row])
  const last = numberOrNull(keys.lastSeenUs[row])
  return {
    flow_id: keys.flowId[row] ?? null,
    capture: keys.capture[row] ?? null,
    src_ip: keys.srcIp[row] ?? null,
    src_port: numberOrNull(keys.srcPort[row]),
    dst_ip: keys.dstIp[row] ?? null,
    dst_port: numberOrNull(keys.dstPort[row]),
    protocol: numberOrNull(keys.protocol[row]),
    first_seen_us: first,
    last_seen_us: last,
    first_seen: isoOf(first),
    last_seen: isoOf(last),
    score,
    threshold,
    model,
    top_features: top
  }
}

/** One JSON object per line, newline-terminated. */
export const toJsonl = (alerts: ReadonlyArray<Alert>): string => alerts.map((alert) => `${JSON.stringify(alert)}\n`).join("")

const csvCell = (value: string | number | null): string => {
  if (value === null) return ""
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const FIXED_COLUMNS = ["flow_id", "capture", "src_ip", "src_port", "dst_ip", "dst_port", "protocol", "first_seen_us", "last_seen_us", "first_seen", "last_seen", "score", "threshold", "model"] as const

/** The CSV header line (newline-terminated) for `topK` feature slots. */
export const csvHeader = (topK = 3): string => {
  const slots = Array.from({ length: topK }, (_, k) => [`top${k + 1}_feature`, `top${k + 1}_value`, `top${k + 1}_delta`])
  return `${[...FIXED_COLUMNS, ...slots.flat()].join(",")}\n`
}

/** CSV lines without a header, each newline-terminated (for writing alerts batch by batch). */
export const toCsvRows = (alerts: ReadonlyArray<Alert>, topK = 3): string =>
  alerts
    .map((alert) => {
      const fixed = FIXED_COLUMNS.map((column) => csvCell(alert[column]))
      const top = Array.from({ length: topK }, (_, k) => {
        const c = alert.top_features[k]
        return c === undefined ? ["", "", ""] : [csvCell(c.feature), csvCell(c.value), csvCell(c.delta)]
      })
      return `${[...fixed, ...top.flat()].join(",")}\n`
    })
    .join("")

/** CSV with a header; `topK` feature slots (empty cells where a flow has fewer). */
export const toCsv = (alerts: ReadonlyArray<Alert>, topK = 3): string => csvHeader(topK) + toCsvRows(alerts, topK)
