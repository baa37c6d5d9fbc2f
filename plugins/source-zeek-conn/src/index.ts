/**
 * `source.zeek-conn`: Zeek conn.log (TSV with # directives, or JSON lines) as canonical flows.
 *
 * Holds: the config Schema, the plugin manifest (detect, plan, read) and the plugin list.
 * Does not hold: the field mapping (`zeek-format.ts`) or batching (`FlowSink` from @hashhound/flowmeter).
 */
import { definePlugin, MAX_BATCH_ROWS, type AnyPlugin, type SourceStage } from "@hashhound/core"
import { fingerprintFor, planFiles, readExportUnit } from "@hashhound/flowmeter"
import { Effect, Schema } from "effect"
import { detectZeekConn, ZEEK_COLUMNS, zeekConnParser } from "./zeek-format.js"

export const ZeekConnConfig = Schema.Struct({
  /** files, folders or globs, relative to the pipeline file */
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** flows per batch */
  batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS }),
  /** seconds added to every ts: the capture start for logs with relative times, else 0 */
  ts_offset_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite()), { default: () => 0 }),
  /** offset from UTC in minutes of ISO ts strings that carry no zone */
  timezone_offset_min: Schema.optionalWith(Schema.Int.pipe(Schema.between(-24 * 60, 24 * 60)), { default: () => 0 })
})
export type ZeekConnConfig = typeof ZeekConnConfig.Type

export const PLUGIN_ID = "source.zeek-conn"

export const zeekConnSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.1",
  summary: "Zeek conn.log (TSV or JSON lines) as canonical flows, with Stratosphere label columns kept",
  config: ZeekConnConfig,
  provides: ZEEK_COLUMNS,
  detect: (head) => detectZeekConn(head),
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) => planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)),
      read: (unit, _ctx, resume) =>
        readExportUnit(unit, resume, { pluginId: PLUGIN_ID, columns: ZEEK_COLUMNS, batchFlows: config.batch_flows }, (sink, path) =>
          zeekConnParser(sink, {
            path,
            tsOffsetUs: Math.round(config.ts_offset_s * 1e6),
            timezoneOffsetMin: config.timezone_offset_min
          })
        )
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [zeekConnSource]
