/**
 * `source.pcap`: packet captures (pcap, pcapng, either gzip'd) metered into bidirectional flows.
 *
 * Holds: the config Schema (snake_case, units in the names), the plugin manifest (detect by
 * magic number, plan with `planFiles` (and `joinPieces` for the pieces of one capture), read with
 * the flow meter: in this thread while it is the only capture being read, on worker threads when
 * several are read at once) and the plugin list.
 * Does not hold: parsing or metering (see `@hashhound/flowmeter`).
 */
import { definePlugin, MAX_BATCH_ROWS, type AnyPlugin, type SourceStage } from "@hashhound/core"
import { captureEventsParallel, fingerprintFor, FLOWMETER_COLUMNS, type FlowMeterOptions, planFiles, sniffContainer } from "@hashhound/flowmeter"
import { Effect, Schema, Stream } from "effect"
import { joinPieces } from "./sequence.js"

export const PLUGIN_ID = "source.pcap"

const seconds = Schema.Number.pipe(Schema.finite(), Schema.positive())

export const PcapConfig = Schema.Struct({
  /** files, folders or globs, relative to the pipeline file */
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** a flow with no packet for this long ends (`idle`) */
  idle_timeout_s: Schema.optionalWith(seconds, { default: () => 120 }),
  /** a flow older than this ends (`active`); the next packet starts a new flow */
  active_timeout_s: Schema.optionalWith(seconds, { default: () => 1800 }),
  /** after FIN from both sides or a RST, packets are still absorbed this long */
  tcp_linger_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 1 }),
  /** open flows at most; beyond it the least recently seen flow ends (`evicted`) */
  max_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1 << 26)), { default: () => 1_000_000 }),
  /** early packets kept in `splt_len` / `splt_iat_ms` */
  splt_packets: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 255)), { default: () => 20 }),
  /** payload packets per flow given to the app-hint parsers */
  hint_packets: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 255)), { default: () => 10 }),
  /** flows per batch */
  batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS }),
  /**
   * what byte counts and packet lengths measure: `ip` (IP total length, the flow schema's rule)
   * or `link` (each frame's length on the wire, as nDPI and tshark count)
   */
  byte_layer: Schema.optionalWith(Schema.Literal("ip", "link"), { default: () => "ip" as const }),
  /**
   * what a tunnel packet (GRE, ERSPAN, IP in IP, VXLAN, GENEVE, GTP-U) is metered as: `inner`
   * (the packet it carries) or `outer` (the tunnel's own headers, one flow per tunnel)
   */
  tunnels: Schema.optionalWith(Schema.Literal("inner", "outer"), { default: () => "inner" as const }),
  /**
   * a packet that repeats one of the same flow and direction less than 1 ms earlier (a capture
   * that sees each packet twice): `keep` it (counted) or `drop` it (counted, metered once)
   */
  duplicates: Schema.optionalWith(Schema.Literal("keep", "drop"), { default: () => "keep" as const }),
  /**
   * the files of each folder are the pieces of one capture (a rotating capture's files): metered
   * as one, in the order of their first packets, so a flow crossing from one file into the next
   * is one flow
   */
  sequence: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type PcapConfig = typeof PcapConfig.Type

/** 1 for a pcap/pcapng head, 0.9 for gzip (the read decides what is inside), else 0. */
export const detectPcap = (head: Uint8Array): number => {
  const container = sniffContainer(head)
  return container._tag === "pcap" || container._tag === "pcapng" ? 1 : container._tag === "gzip" ? 0.9 : 0
}

export const meterOptions = (config: PcapConfig, captureName: string): FlowMeterOptions => ({
  idleTimeoutS: config.idle_timeout_s,
  activeTimeoutS: config.active_timeout_s,
  tcpLingerS: config.tcp_linger_s,
  maxFlows: config.max_flows,
  spltPackets: config.splt_packets,
  hintPackets: config.hint_packets,
  batchFlows: config.batch_flows,
  byteLayer: config.byte_layer,
  tunnels: config.tunnels,
  duplicates: config.duplicates,
  findingSource: PLUGIN_ID,
  captureName
})

export const pcapSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.0",
  summary: "pcap/pcapng captures (gzip too) metered into bidirectional flows with TCP, timing and app-hint columns",
  config: PcapConfig,
  provides: FLOWMETER_COLUMNS,
  detect: (head) => detectPcap(head),
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) =>
        config.sequence
          ? Effect.flatMap(planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)), joinPieces)
          : planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)),
      read: (unit, ctx, resume) =>
        Stream.suspend(() =>
          captureEventsParallel(unit.paths ?? unit.path ?? unit.id, { ...meterOptions(config, unit.id), checkpoints: ctx.resumable !== false }, resume)
        )
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [pcapSource]
