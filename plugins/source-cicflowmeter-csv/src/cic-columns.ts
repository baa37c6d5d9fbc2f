/**
 * CICFlowMeter CSV header variants and their column names.
 *
 * Holds: the fields this adapter reads with every spelling the variants use, the variant
 * recognised from a header line (the original CIC-IDS2017 layout with leading spaces and a
 * duplicated `Fwd Header Length`, the re-extracted 91-column "improved" layout, the
 * CICFlowMeter-V4 abbreviations of CSE-CIC-IDS2018, and the Python `cicflowmeter` snake_case
 * layout), and each variant's units.
 * Does not hold: per-row parsing (see `cic-format.ts`).
 */

export type CicField =
  | "src_ip"
  | "dst_ip"
  | "src_port"
  | "dst_port"
  | "protocol"
  | "timestamp"
  | "duration"
  | "fwd_pkts"
  | "bwd_pkts"
  | "fwd_len"
  | "bwd_len"
  | "fwd_len_min"
  | "fwd_len_mean"
  | "fwd_len_max"
  | "fwd_len_std"
  | "bwd_len_min"
  | "bwd_len_mean"
  | "bwd_len_max"
  | "bwd_len_std"
  | "len_min"
  | "len_mean"
  | "len_max"
  | "len_std"
  | "iat_mean"
  | "iat_std"
  | "iat_min"
  | "iat_max"
  | "fwd_iat_mean"
  | "fwd_iat_std"
  | "fwd_iat_min"
  | "fwd_iat_max"
  | "bwd_iat_mean"
  | "bwd_iat_std"
  | "bwd_iat_min"
  | "bwd_iat_max"
  | "fwd_psh"
  | "bwd_psh"
  | "fwd_urg"
  | "bwd_urg"
  | "fwd_rst"
  | "bwd_rst"
  | "fwd_hdr"
  | "bwd_hdr"
  | "fwd_win"
  | "bwd_win"
  | "label"

/** Spellings per field: lower case, spaces collapsed (the first occurrence of a name wins). */
const SPELLINGS: ReadonlyArray<readonly [CicField, ReadonlyArray<string>]> = [
  ["src_ip", ["source ip", "src ip", "src_ip"]],
  ["dst_ip", ["destination ip", "dst ip", "dst_ip"]],
  ["src_port", ["source port", "src port", "src_port"]],
  ["dst_port", ["destination port", "dst port", "dst_port"]],
  ["protocol", ["protocol"]],
  ["timestamp", ["timestamp"]],
  ["duration", ["flow duration", "flow_duration"]],
  ["fwd_pkts", ["total fwd packets", "total fwd packet", "tot fwd pkts", "tot_fwd_pkts"]],
  ["bwd_pkts", ["total backward packets", "total bwd packets", "tot bwd pkts", "tot_bwd_pkts"]],
  ["fwd_len", ["total length of fwd packets", "total length of fwd packet", "totlen fwd pkts", "totlen_fwd_pkts"]],
  ["bwd_len", ["total length of bwd packets", "total length of bwd packet", "totlen bwd pkts", "totlen_bwd_pkts"]],
  ["fwd_len_min", ["fwd packet length min", "fwd pkt len min", "fwd_pkt_len_min"]],
  ["fwd_len_mean", ["fwd packet length mean", "fwd pkt len mean", "fwd_pkt_len_mean"]],
  ["fwd_len_max", ["fwd packet length max", "fwd pkt len max", "fwd_pkt_len_max"]],
  ["fwd_len_std", ["fwd packet length std", "fwd pkt len std", "fwd_pkt_len_std"]],
  ["bwd_len_min", ["bwd packet length min", "bwd pkt len min", "bwd_pkt_len_min"]],
  ["bwd_len_mean", ["bwd packet length mean", "bwd pkt len mean", "bwd_pkt_len_mean"]],
  ["bwd_len_max", ["bwd packet length max", "bwd pkt len max", "bwd_pkt_len_max"]],
  ["bwd_len_std", ["bwd packet length std", "bwd pkt len std", "bwd_pkt_len_std"]],
  ["len_min", ["min packet length", "packet length min", "pkt len min", "pkt_len_min"]],
  ["len_mean", ["packet length mean", "pkt len mean", "pkt_len_mean"]],
  ["len_max", ["max packet length", "packet length max", "pkt len max", "pkt_len_max"]],
  ["len_std", ["packet length std", "pkt len std", "pkt_len_std"]],
  ["iat_mean", ["flow iat mean", "flow_iat_mean"]],
  ["iat_std", ["flow iat std", "flow_iat_std"]],
  ["iat_min", ["flow iat min", "flow_iat_min"]],
  ["iat_max", ["flow iat max", "flow_iat_max"]],
  ["fwd_iat_mean", ["fwd iat mean", "fwd_iat_mean"]],
  ["fwd_iat_std", ["fwd iat std", "fwd_iat_std"]],
  ["fwd_iat_min", ["fwd iat min", "fwd_iat_min"]],
  ["fwd_iat_max", ["fwd iat max", "fwd_iat_max"]],
  ["bwd_iat_mean", ["bwd iat mean", "bwd_iat_mean"]],
  ["bwd_iat_std", ["bwd iat std", "bwd_iat_std"]],
  ["bwd_iat_min", ["bwd iat min", "bwd_iat_min"]],
  ["bwd_iat_max", ["bwd iat max", "bwd_iat_max"]],
  ["fwd_psh", ["fwd psh flags", "fwd_psh_flags"]],
  ["bwd_psh", ["bwd psh flags", "bwd_psh_flags"]],
  ["fwd_urg", ["fwd urg flags", "fwd_urg_flags"]],
  ["bwd_urg", ["bwd urg flags", "bwd_urg_flags"]],
  ["fwd_rst", ["fwd rst flags"]],
  ["bwd_rst", ["bwd rst flags"]],
  ["fwd_hdr", ["fwd header length", "fwd header len", "fwd_header_len"]],
  ["bwd_hdr", ["bwd header length", "bwd header len", "bwd_header_len"]],
  ["fwd_win", ["init_win_bytes_forward", "fwd init win bytes", "init fwd win byts", "init_fwd_win_byts"]],
  ["bwd_win", ["init_win_bytes_backward", "bwd init win bytes", "init bwd win byts", "init_bwd_win_byts"]],
  ["label", ["label"]]
]

const FIELD_BY_NAME: ReadonlyMap<string, CicField> = new Map(
  SPELLINGS.flatMap(([field, names]) => names.map((name) => [name, field] as const))
)

export const normaliseName = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, " ")

export type CicVariant = "cic-ids2017" | "cic-ids2017-improved" | "cicflowmeter-v4" | "python-cicflowmeter"

export interface CicLayout {
  readonly variant: CicVariant
  /** cells per row */
  readonly width: number
  /** column index of each field found (first occurrence) */
  readonly index: ReadonlyMap<CicField, number>
  /** durations and inter-arrival times: µs (Java CICFlowMeter) or s (Python cicflowmeter) */
  readonly timeUnit: "us" | "s"
  /**
   * what the packet lengths count: `payload` (Java CICFlowMeter: transport payload, headers
   * apart in Fwd/Bwd Header Length) or `frame` (Python cicflowmeter: the whole captured frame)
   */
  readonly lengths: "payload" | "frame"
}

const variantOf = (names: ReadonlySet<string>): CicVariant | undefined => {
  if (names.has("tot_fwd_pkts") || names.has("src_ip")) return "python-cicflowmeter"
  if (names.has("total fwd packet") || names.has("attempted category") || names.has("fwd rst flags")) return "cic-ids2017-improved"
  if (names.has("tot fwd pkts")) return "cicflowmeter-v4"
  if (names.has("total fwd packets") || names.has("total backward packets")) return "cic-ids2017"
  return undefined
}

/** The layout of a header line, or the fields it lacks. */
export const layoutOf = (line: string): CicLayout | { readonly missing: ReadonlyArray<string> } => {
  const cells = line.replace(/^\uFEFF/, "").split(",")
  const names = cells.map(normaliseName)
  const variant = variantOf(new Set(names))
  const index = new Map<CicField, number>()
  names.forEach((name, at) => {
    const field = FIELD_BY_NAME.get(name)
    if (field !== undefined && !index.has(field)) index.set(field, at)
  })
  const missing = (["duration", "fwd_pkts", "bwd_pkts"] as const).filter((field) => !index.has(field))
  if (variant === undefined || missing.length > 0) {
    return { missing: variant === undefined ? ["Flow Duration", "Total Fwd Packets", "Total Backward Packets"] : missing }
  }
  const python = variant === "python-cicflowmeter"
  return { variant, width: cells.length, index, timeUnit: python ? "s" : "us", lengths: python ? "frame" : "payload" }
}
