/**
 * Flow meter options: timeouts, table size, early-packet and hint depth, batch size.
 *
 * Holds: `FlowMeterOptions` (camelCase, seconds where the name says so), their defaults
 * (the same as the `source.pcap` config defaults) and `resolveOptions`, which fills the gaps
 * and clamps nonsense (negative timeouts, zero-row batches) to safe values.
 * Does not hold: config decoding from YAML (the plugin owns its Schema).
 */

export interface FlowMeterOptions {
  /** a flow with no packet for this long ends with `idle` (seconds) */
  readonly idleTimeoutS?: number
  /** a flow older than this ends with `active` and the next packet starts a new flow (seconds) */
  readonly activeTimeoutS?: number
  /** after FIN from both sides or a RST, keep absorbing packets this long before ending (seconds) */
  readonly tcpLingerS?: number
  /** open flows at most; the least recently seen is evicted beyond it */
  readonly maxFlows?: number
  /** how many early packets `splt_len` / `splt_iat_ms` keep */
  readonly spltPackets?: number
  /** how many payload packets per flow go to the app-hint collector */
  readonly hintPackets?: number
  /** rows per emitted FlowBatch */
  readonly batchFlows?: number
  /** plugin id that findings are reported under */
  readonly findingSource?: string
  /** capture name used in findings (defaults to the file path) */
  readonly captureName?: string
  /**
   * Which layer byte counts and packet lengths are taken at: `ip` (the catalogue's rule, the
   * default) or `link` (captured frame's original length, as nDPI and Wireshark count).
   */
  readonly byteLayer?: "ip" | "link"
  /**
   * What a tunnel packet (GRE, ERSPAN, IP in IP, VXLAN, GENEVE, GTP-U) is metered as: `inner`
   * (the packet it carries, the default) or `outer` (the tunnel's own headers).
   */
  readonly tunnels?: "inner" | "outer"
  /**
   * A packet that repeats one of the same flow and direction seen less than 1 ms before (same
   * length, IPv4 ID and checksum: a capture that sees each packet twice) is counted and kept
   * (`keep`, the default) or counted and dropped (`drop`). Either way it goes to no app-hint parser.
   */
  readonly duplicates?: "keep" | "drop"
  /** serialise the meter state after each batch (needed for resume); default true */
  readonly checkpoints?: boolean
  /** bytes read from the file per step (default 4 MiB) */
  readonly chunkBytes?: number
}

export interface ResolvedOptions {
  readonly idleTimeoutUs: number
  readonly activeTimeoutUs: number
  readonly lingerUs: number
  readonly maxFlows: number
  readonly spltPackets: number
  readonly hintPackets: number
  readonly batchFlows: number
  readonly findingSource: string
  readonly captureName: string | undefined
  readonly linkBytes: boolean
  readonly decapsulate: boolean
  readonly dropDuplicates: boolean
  readonly checkpoints: boolean
  readonly chunkBytes: number
}

export const DEFAULT_OPTIONS = {
  idleTimeoutS: 120,
  activeTimeoutS: 1800,
  tcpLingerS: 1,
  maxFlows: 1_000_000,
  spltPackets: 20,
  hintPackets: 10,
  batchFlows: 65_536
} as const

const finiteOr = (value: number | undefined, fallback: number, min: number, max: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.min(max, Math.max(min, value))

export const resolveOptions = (options: FlowMeterOptions): ResolvedOptions => ({
  idleTimeoutUs: Math.round(finiteOr(options.idleTimeoutS, DEFAULT_OPTIONS.idleTimeoutS, 0, 1e9) * 1e6),
  activeTimeoutUs: Math.round(finiteOr(options.activeTimeoutS, DEFAULT_OPTIONS.activeTimeoutS, 0, 1e9) * 1e6),
  lingerUs: Math.round(finiteOr(options.tcpLingerS, DEFAULT_OPTIONS.tcpLingerS, 0, 1e9) * 1e6),
  maxFlows: Math.floor(finiteOr(options.maxFlows, DEFAULT_OPTIONS.maxFlows, 1, 1 << 26)),
  spltPackets: Math.floor(finiteOr(options.spltPackets, DEFAULT_OPTIONS.spltPackets, 0, 255)),
  hintPackets: Math.floor(finiteOr(options.hintPackets, DEFAULT_OPTIONS.hintPackets, 0, 255)),
  batchFlows: Math.floor(finiteOr(options.batchFlows, DEFAULT_OPTIONS.batchFlows, 1, 1 << 24)),
  findingSource: options.findingSource ?? "source.pcap",
  captureName: options.captureName,
  linkBytes: options.byteLayer === "link",
  decapsulate: options.tunnels !== "outer",
  dropDuplicates: options.duplicates === "drop",
  checkpoints: options.checkpoints ?? true,
  chunkBytes: Math.floor(finiteOr(options.chunkBytes, 4 << 20, 64 << 10, 64 << 20))
})

/** The options that change what flows come out; a checkpoint made under other values is not reused. */
export const optionsFingerprint = (o: ResolvedOptions): string =>
  [o.idleTimeoutUs, o.activeTimeoutUs, o.lingerUs, o.maxFlows, o.spltPackets, o.hintPackets, o.batchFlows, o.linkBytes ? 1 : 0, o.decapsulate ? 1 : 0, o.dropDuplicates ? 1 : 0].join(",")
