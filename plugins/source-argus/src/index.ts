/**
 * `source.argus`: Argus `ra` CSV exports (CTU-13 binetflow and other `ra -c` field lists) as
 * canonical flows.
 *
 * Holds: the config Schema, the plugin manifest (detect, plan, read) and the plugin list.
 * Does not hold: the column mapping (`argus-format.ts`) or batching (`FlowSink` from @hashhound/flowmeter).
 */
import { definePlugin, MAX_BATCH_ROWS, type AnyPlugin, type SourceStage } from "@hashhound/core"
import { fingerprintFor, planFiles, readExportUnit } from "@hashhound/flowmeter"
import { Effect, Schema } from "effect"
import { ARGUS_COLUMNS, argusParser, detectArgus } from "./argus-format.js"

export const ArgusConfig = Schema.Struct({
  /** files, folders or globs, relative to the pipeline file */
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** flows per batch */
  batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS }),
  /**
   * bytes argus counted per packet below IP (14 for Ethernet II, 18 with one VLAN tag, 0 for
   * raw-IP or tun captures); subtracted so that fwd_bytes/bwd_bytes are IP-layer bytes
   */
  link_header_bytes: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 64)), { default: () => 0 }),
  /** offset of the export's clock from UTC in minutes (ra prints local time without a zone) */
  timezone_offset_min: Schema.optionalWith(Schema.Int.pipe(Schema.between(-24 * 60, 24 * 60)), { default: () => 0 })
})
export type ArgusConfig = typeof ArgusConfig.Type

export const PLUGIN_ID = "source.argus"

export const argusSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.1",
  summary: "Argus ra CSV / CTU-13 binetflow exports as canonical flows (non-IP records skipped and counted)",
  config: ArgusConfig,
  provides: ARGUS_COLUMNS,
  detect: (head) => detectArgus(head),
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) => planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)),
      read: (unit, _ctx, resume) =>
        readExportUnit(unit, resume, { pluginId: PLUGIN_ID, columns: ARGUS_COLUMNS, batchFlows: config.batch_flows }, (sink, path) =>
          argusParser(sink, {
            path,
            linkHeaderBytes: config.link_header_bytes,
            timezoneOffsetMin: config.timezone_offset_min
          })
        )
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [argusSource]
