/**
 * FlowBatch helpers for tests: building a batch from row objects, reading rows back, and a
 * small realistic sample batch that fills every catalogue column.
 *
 * Holds: `batchFromRows` (rows → FlowBatch via core's FlowBatchBuilder; catalogue columns get
 * their catalogue type, other columns a type inferred from the values), `rowsOf` (FlowBatch →
 * plain rows, int64 as number), `sampleFlowRows` / `sampleBatch` (six flows: stratum, TLS, DNS,
 * ICMP, an unanswered IPv6 SYN and SSH, with nulls where a real source would leave them).
 * Does not hold: anything a production stage should use; these are for tests only.
 */
import { COLUMN_BY_NAME, FLOW_COLUMNS, FlowBatchBuilder, type ColumnSpec, type ColumnType, type FlowBatch } from "@hashhound/core"

export type RowValue = string | number | bigint | boolean | ReadonlyArray<number> | null | undefined
export type Row = Readonly<Record<string, RowValue>>

const isNumericType = (type: ColumnType): boolean => type === "int32" || type === "int64" || type === "float64"

const inferType = (name: string, rows: ReadonlyArray<Row>): ColumnType => {
  for (const row of rows) {
    const value = row[name]
    if (value === null || value === undefined) continue
    if (typeof value === "number" || typeof value === "bigint") return "float64"
    if (typeof value === "boolean") return "bool"
    if (typeof value === "string") return "utf8"
    return "list_float64"
  }
  return "float64"
}

const specFor = (name: string, rows: ReadonlyArray<Row>): ColumnSpec =>
  COLUMN_BY_NAME.get(name) ?? { name, type: inferType(name, rows), unit: "", group: "volume", description: "test column" }

/**
 * A FlowBatch holding `rows`. Columns are `options.columns` or every key in order of first
 * appearance; a missing or undefined cell is null. Throws on a value of the wrong kind for its
 * column (a mistake in the test, not in the code under test).
 */
export const batchFromRows = (
  rows: ReadonlyArray<Row>,
  options: { readonly columns?: ReadonlyArray<string> } = {}
): FlowBatch => {
  const names: Array<string> = []
  if (options.columns !== undefined) names.push(...options.columns)
  else {
    const seen = new Set<string>()
    for (const row of rows)
      for (const key of Object.keys(row))
        if (!seen.has(key)) {
          seen.add(key)
          names.push(key)
        }
  }
  const specs = names.map((name) => specFor(name, rows))
  const builder = new FlowBatchBuilder(specs, Math.max(1, rows.length))
  rows.forEach((row, index) => {
    for (const spec of specs) {
      const value = row[spec.name]
      if (isNumericType(spec.type)) {
        if (value !== null && value !== undefined && typeof value !== "number" && typeof value !== "bigint")
          throw new Error(`batchFromRows: row ${index} column ${spec.name} wants a number, got ${JSON.stringify(value)}`)
        builder.setNumber(spec.name, index, value === null || value === undefined ? null : Number(value))
      } else {
        if (typeof value === "number" || typeof value === "bigint")
          throw new Error(`batchFromRows: row ${index} column ${spec.name} (${spec.type}) got a number`)
        builder.setValue(spec.name, index, value ?? null)
      }
    }
  })
  return builder.finish(rows.length)
}

const plainValue = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value
  if (typeof value === "object" && Symbol.iterator in value && typeof value !== "string")
    return Array.from(value as Iterable<unknown>, plainValue)
  return value
}

/** The rows of a batch as plain objects: int64 as number (bigint beyond 2^53), lists as arrays, null for null. */
export const rowsOf = (batch: FlowBatch): Array<Record<string, unknown>> => {
  const fields = batch.schema.fields.map((field) => field.name)
  const vectors = fields.map((name) => batch.getChild(name))
  const rows: Array<Record<string, unknown>> = []
  for (let row = 0; row < batch.numRows; row++) {
    const out: Record<string, unknown> = {}
    fields.forEach((name, column) => {
      out[name] = plainValue(vectors[column]?.get(row))
    })
    rows.push(out)
  }
  return rows
}

interface BaseFlow {
  readonly src_ip: string
  readonly dst_ip: string
  readonly src_port: number | null
  readonly dst_port: number | null
  readonly protocol: number
  readonly ip_version: number
  readonly first_seen_us: number
  readonly duration_s: number
  readonly fwd_packets: number
  readonly bwd_packets: number
  readonly fwd_bytes: number
  readonly bwd_bytes: number
  readonly end_reason: string
  readonly hints: Row
}

const T0 = 1_700_000_000_000_000

const BASE_FLOWS: ReadonlyArray<BaseFlow> = [
  { src_ip: "10.0.0.5", dst_ip: "203.0.113.10", src_port: 49152, dst_port: 3333, protocol: 6, ip_version: 4, first_seen_us: T0, duration_s: 120, fwd_packets: 40, bwd_packets: 38, fwd_bytes: 4200, bwd_bytes: 6100, end_reason: "idle", hints: { app_proto: "stratum", jsonrpc_methods: "mining.subscribe,mining.authorize,mining.submit" } },
  { src_ip: "10.0.0.5", dst_ip: "198.51.100.7", src_port: 49200, dst_port: 443, protocol: 6, ip_version: 4, first_seen_us: T0 + 5_000_000, duration_s: 2.5, fwd_packets: 12, bwd_packets: 14, fwd_bytes: 1800, bwd_bytes: 15200, end_reason: "fin", hints: { app_proto: "tls", tls_sni: "www.example.org", tls_ja3: "771e1c7a4b3b3a3f1f0e6a2b5c4d3e2f" } },
  { src_ip: "10.0.0.6", dst_ip: "10.0.0.1", src_port: 53000, dst_port: 53, protocol: 17, ip_version: 4, first_seen_us: T0 + 6_000_000, duration_s: 0.012, fwd_packets: 1, bwd_packets: 1, fwd_bytes: 74, bwd_bytes: 120, end_reason: "idle", hints: { app_proto: "dns", dns_qname: "pool.example.net" } },
  { src_ip: "10.0.0.7", dst_ip: "192.0.2.1", src_port: null, dst_port: null, protocol: 1, ip_version: 4, first_seen_us: T0 + 7_000_000, duration_s: 3, fwd_packets: 4, bwd_packets: 4, fwd_bytes: 336, bwd_bytes: 336, end_reason: "idle", hints: {} },
  { src_ip: "2001:db8::5", dst_ip: "2001:db8::80", src_port: 51000, dst_port: 80, protocol: 6, ip_version: 6, first_seen_us: T0 + 8_000_000, duration_s: 0, fwd_packets: 1, bwd_packets: 0, fwd_bytes: 80, bwd_bytes: 0, end_reason: "eof", hints: {} },
  { src_ip: "10.0.0.8", dst_ip: "10.0.0.22", src_port: 50022, dst_port: 22, protocol: 6, ip_version: 4, first_seen_us: T0 + 9_000_000, duration_s: 600, fwd_packets: 300, bwd_packets: 280, fwd_bytes: 30000, bwd_bytes: 42000, end_reason: "active", hints: { app_proto: "ssh" } }
]

const headerBytes = (flow: BaseFlow): number =>
  (flow.ip_version === 6 ? 40 : 20) + (flow.protocol === 6 ? 20 : flow.protocol === 17 ? 8 : 8)

/** [min, mean, max, std] of the packet lengths, as the catalogue orders them. */
const lengthStats = (bytes: number, packets: number): ReadonlyArray<number | null> =>
  packets === 0 ? [null, null, null, null] : [(bytes / packets) * 0.6, bytes / packets, (bytes / packets) * 1.4, packets === 1 ? 0 : (bytes / packets) * 0.2]

/** [mean, std, min, max] of the gaps, as the catalogue orders them. */
const gapStats = (duration: number, packets: number): ReadonlyArray<number | null> =>
  packets < 2 ? [null, null, null, null] : [duration / (packets - 1), duration / (packets - 1) / 3, 0, (duration / (packets - 1)) * 2]

const flowRow = (flow: BaseFlow, index: number): Row => {
  const tcp = flow.protocol === 6
  const packets = flow.fwd_packets + flow.bwd_packets
  const bytes = flow.fwd_bytes + flow.bwd_bytes
  const row: Record<string, RowValue> = {
    flow_id: `sample/sample.csv/0/${index}`,
    dataset: "sample",
    capture: "sample.csv",
    batch: 0,
    src_ip: flow.src_ip,
    dst_ip: flow.dst_ip,
    src_port: flow.src_port,
    dst_port: flow.dst_port,
    protocol: flow.protocol,
    ip_version: flow.ip_version,
    vlan_id: null,
    first_seen_us: flow.first_seen_us,
    last_seen_us: flow.first_seen_us + Math.round(flow.duration_s * 1e6),
    duration_s: flow.duration_s,
    fwd_packets: flow.fwd_packets,
    bwd_packets: flow.bwd_packets,
    fwd_bytes: flow.fwd_bytes,
    bwd_bytes: flow.bwd_bytes,
    fwd_payload_bytes: Math.max(0, flow.fwd_bytes - flow.fwd_packets * headerBytes(flow)),
    bwd_payload_bytes: Math.max(0, flow.bwd_bytes - flow.bwd_packets * headerBytes(flow)),
    end_reason: flow.end_reason,
    biflow_pairing: null,
    label_raw: null,
    label: null,
    label_source: null,
    label_detail: null,
    fwd_init_win: tcp ? 64240 : null,
    bwd_init_win: tcp && flow.bwd_packets > 0 ? 65160 : null,
    splt_len: Array.from({ length: Math.min(packets, 10) }, (_, i) =>
      i % 2 === 0 ? Math.round(flow.fwd_bytes / Math.max(1, flow.fwd_packets)) : -Math.round(flow.bwd_bytes / Math.max(1, flow.bwd_packets))
    ),
    splt_iat_ms: Array.from({ length: Math.min(packets, 10) }, (_, i) => (i === 0 ? 0 : 1.5 * i)),
    ...flow.hints
  }
  const stats = ["min", "mean", "max", "std"] as const
  const directed = [
    ["fwd_", flow.fwd_bytes, flow.fwd_packets],
    ["bwd_", flow.bwd_bytes, flow.bwd_packets],
    ["", bytes, packets]
  ] as const
  for (const [prefix, b, p] of directed) {
    const lengths = lengthStats(b, p)
    const gaps = gapStats(flow.duration_s, p)
    stats.forEach((stat, i) => {
      row[`${prefix}pkt_len_${stat}`] = lengths[i] ?? null
    })
    ;(["mean", "std", "min", "max"] as const).forEach((stat, i) => {
      row[`${prefix}iat_${stat}_s`] = gaps[i] ?? null
    })
  }
  for (const column of FLOW_COLUMNS) {
    if (column.group !== "tcp" || column.name.endsWith("_init_win")) continue
    const forward = column.name.startsWith("fwd_")
    const flag = column.name.slice(4)
    const count = forward ? flow.fwd_packets : flow.bwd_packets
    row[column.name] = !tcp ? null : flag === "ack" ? Math.max(0, count - 1) : flag === "syn" ? Math.min(1, count) : flag === "psh" ? Math.floor(count / 2) : flag === "fin" && flow.end_reason === "fin" ? 1 : 0
  }
  for (const column of FLOW_COLUMNS) if (!(column.name in row)) row[column.name] = null
  return row
}

/** Six realistic flows with every catalogue column present (nulls where a source would leave them). */
export const sampleFlowRows = (): ReadonlyArray<Row> => BASE_FLOWS.map(flowRow)

/** `sampleFlowRows` as a FlowBatch with the catalogue's column order and types. */
export const sampleBatch = (): FlowBatch =>
  batchFromRows(sampleFlowRows(), { columns: FLOW_COLUMNS.map((column) => column.name) })

/** A batch with the catalogue's columns and no rows. */
export const emptyBatch = (columns: ReadonlyArray<string> = FLOW_COLUMNS.map((column) => column.name)): FlowBatch =>
  batchFromRows([], { columns })
