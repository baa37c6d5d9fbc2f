/**
 * The canonical flow column catalogue (DESIGN.md, "Canonical flow schema").
 *
 * Holds: every column a FlowBatch may carry, with its type, unit, group and description, and
 * which columns are off-limits to feature groups (identity, app hints, labels).
 * Does not hold: feature columns (each feature group declares its own) or any I/O.
 */
export type ColumnType = "int32" | "int64" | "float64" | "bool" | "utf8" | "list_int32" | "list_float64"

export type ColumnGroup =
  | "identity"
  | "key"
  | "time"
  | "volume"
  | "packet_length"
  | "inter_arrival"
  | "tcp"
  | "early"
  | "lifecycle"
  | "app_hint"
  | "label"

export interface ColumnSpec {
  readonly name: string
  readonly type: ColumnType
  readonly unit: string
  readonly group: ColumnGroup
  readonly description: string
}

const col = (name: string, type: ColumnType, unit: string, group: ColumnGroup, description: string): ColumnSpec => ({
  name,
  type,
  unit,
  group,
  description
})

const directions = [
  ["fwd_", "forward (from src)"],
  ["bwd_", "backward (to src)"],
  ["", "both directions"]
] as const

const packetLengthColumns: ReadonlyArray<ColumnSpec> = directions.flatMap(([prefix, what]) =>
  (["min", "mean", "max", "std"] as const).map((stat) =>
    col(`${prefix}pkt_len_${stat}`, "float64", "bytes", "packet_length", `${stat} IP-layer packet length, ${what}`)
  )
)

const interArrivalColumns: ReadonlyArray<ColumnSpec> = directions.flatMap(([prefix, what]) =>
  (["mean", "std", "min", "max"] as const).map((stat) =>
    col(`${prefix}iat_${stat}_s`, "float64", "s", "inter_arrival", `${stat} packet inter-arrival time, ${what}`)
  )
)

export const TCP_FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"] as const
export type TcpFlag = (typeof TCP_FLAGS)[number]

const tcpFlagColumns: ReadonlyArray<ColumnSpec> = (["fwd_", "bwd_"] as const).flatMap((prefix) =>
  TCP_FLAGS.map((flag) =>
    col(`${prefix}${flag}`, "int64", "packets", "tcp", `${prefix === "fwd_" ? "forward" : "backward"} packets with TCP ${flag.toUpperCase()} set`)
  )
)

export const FLOW_COLUMNS: ReadonlyArray<ColumnSpec> = [
  col("flow_id", "utf8", "", "identity", "stable flow identifier, unique within a run"),
  col("dataset", "utf8", "", "identity", "dataset name from the pipeline"),
  col("capture", "utf8", "", "identity", "input file (capture or export) the flow came from"),
  col("batch", "int32", "", "identity", "batch index within the capture"),
  col("src_ip", "utf8", "", "key", "initiator address (SYN sender, else first packet's sender)"),
  col("dst_ip", "utf8", "", "key", "responder address"),
  col("src_port", "int32", "", "key", "initiator port (ICMP: null)"),
  col("dst_port", "int32", "", "key", "responder port (ICMP: null)"),
  col("protocol", "int32", "", "key", "IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)"),
  col("ip_version", "int32", "", "key", "4 or 6"),
  col("vlan_id", "int32", "", "key", "outermost 802.1Q VLAN id, null when untagged"),
  col("first_seen_us", "int64", "us", "time", "first packet time, microseconds since the Unix epoch"),
  col("last_seen_us", "int64", "us", "time", "last packet time, microseconds since the Unix epoch"),
  col("duration_s", "float64", "s", "time", "last_seen − first_seen"),
  col("fwd_packets", "int64", "packets", "volume", "packets from src"),
  col("bwd_packets", "int64", "packets", "volume", "packets to src"),
  col("fwd_bytes", "int64", "bytes", "volume", "IP-layer bytes from src"),
  col("bwd_bytes", "int64", "bytes", "volume", "IP-layer bytes to src"),
  col("fwd_payload_bytes", "int64", "bytes", "volume", "transport payload bytes from src"),
  col("bwd_payload_bytes", "int64", "bytes", "volume", "transport payload bytes to src"),
  ...packetLengthColumns,
  ...interArrivalColumns,
  ...tcpFlagColumns,
  col("fwd_init_win", "int32", "bytes", "tcp", "TCP window of the first forward packet"),
  col("bwd_init_win", "int32", "bytes", "tcp", "TCP window of the first backward packet"),
  col("splt_len", "list_int32", "bytes", "early", "signed IP lengths of the first packets (+ forward, − backward)"),
  col("splt_iat_ms", "list_float64", "ms", "early", "gaps before each of the first packets (first is 0)"),
  col("end_reason", "utf8", "", "lifecycle", "idle | active | fin | rst | eof | evicted"),
  col("biflow_pairing", "utf8", "", "lifecycle", "for exports of one-way records: paired | unpaired | ambiguous"),
  col("app_proto", "utf8", "", "app_hint", "application protocol guessed from payload or port"),
  col("tls_sni", "utf8", "", "app_hint", "TLS ClientHello server name"),
  col("tls_ja3", "utf8", "", "app_hint", "JA3 fingerprint (MD5 hex) of the ClientHello"),
  col("tls_ja4", "utf8", "", "app_hint", "JA4 fingerprint of the ClientHello"),
  col("http_host", "utf8", "", "app_hint", "HTTP request Host header"),
  col("dns_qname", "utf8", "", "app_hint", "first DNS query name"),
  col("jsonrpc_methods", "utf8", "", "app_hint", "distinct JSON-RPC method names seen, comma-separated in order of first use"),
  col("label_raw", "utf8", "", "label", "the dataset's own label, as it came"),
  col("label", "utf8", "", "label", "mining | benign | unknown (after label merge)"),
  col("label_source", "utf8", "", "label", "labeler id that decided the label"),
  col("label_detail", "utf8", "", "label", "why: methods seen, IOC matched, scenario window, conflicts")
]

export const COLUMN_BY_NAME: ReadonlyMap<string, ColumnSpec> = new Map(FLOW_COLUMNS.map((spec) => [spec.name, spec]))

export const END_REASONS = ["idle", "active", "fin", "rst", "eof", "evicted"] as const
export type EndReason = (typeof END_REASONS)[number]

export const LABELS = ["mining", "benign", "unknown"] as const
export type Label = (typeof LABELS)[number]

/**
 * Columns that feature groups may not read unless a pipeline allows it explicitly:
 * identity and key columns (a model must not learn addresses), app hints (payload strings)
 * and labels (the target itself).
 */
export const GUARDED_GROUPS: ReadonlySet<ColumnGroup> = new Set(["identity", "app_hint", "label"])
export const GUARDED_KEY_COLUMNS: ReadonlySet<string> = new Set(["src_ip", "dst_ip", "src_port", "vlan_id"])

export const isGuardedColumn = (name: string): boolean => {
  const spec = COLUMN_BY_NAME.get(name)
  return spec !== undefined && (GUARDED_GROUPS.has(spec.group) || GUARDED_KEY_COLUMNS.has(name))
}

/**
 * What every flow-record format has: the key, the times, and packets and IP bytes per direction.
 * Flow-export sources start their column lists with these.
 */
export const FLOW_RECORD_COLUMNS: ReadonlyArray<string> = [
  ...FLOW_COLUMNS.filter((spec) => spec.group === "key" || spec.group === "time").map((spec) => spec.name),
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes"
]
