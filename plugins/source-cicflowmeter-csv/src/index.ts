/**
 * `source.cicflowmeter-csv`: CICFlowMeter CSV exports (CIC-IDS2017 original and improved,
 * CICFlowMeter-V4 / CSE-CIC-IDS2018, Python cicflowmeter) as canonical flows; the variant is
 * recognised from the header.
 *
 * Holds: the config Schema, the plugin manifest (detect, plan, read) and the plugin list.
 * Does not hold: the header variants (`cic-columns.ts`), the row mapping (`cic-format.ts`) or
 * batching (`FlowSink` from @hashhound/flowmeter).
 */
import { definePlugin, MAX_BATCH_ROWS, type AnyPlugin, type SourceStage } from "@hashhound/core"
import { fingerprintFor, planFiles, readExportUnit } from "@hashhound/flowmeter"
import { Effect, Schema } from "effect"
import { CIC_COLUMNS, cicParser, detectCic } from "./cic-format.js"

export const CicConfig = Schema.Struct({
  /** files, folders or globs, relative to the pipeline file */
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** flows per batch */
  batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS }),
  /**
   * offset of the Timestamp column's clock from UTC in minutes: CIC timestamps carry no zone
   * (CIC-IDS2017 was captured in New Brunswick, ADT: -180)
   */
  timezone_offset_min: Schema.optionalWith(Schema.Int.pipe(Schema.between(-24 * 60, 24 * 60)), { default: () => 0 }),
  /** order of slashed dates such as `7/3/2017 3:30`: day first (CICFlowMeter's dd/MM/yyyy) or month first */
  date_order: Schema.optionalWith(Schema.Literal("dmy", "mdy"), { default: () => "dmy" as const }),
  /** bytes below IP in the Python cicflowmeter's frame lengths (14 for Ethernet II, 0 for raw IP) */
  link_header_bytes: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 64)), { default: () => 14 }),
  /** unit of Flow Duration and the IATs: `auto` is µs for Java CICFlowMeter and s for Python cicflowmeter */
  time_unit: Schema.optionalWith(Schema.Literal("auto", "us", "s"), { default: () => "auto" as const })
})
export type CicConfig = typeof CicConfig.Type

export const PLUGIN_ID = "source.cicflowmeter-csv"

export const cicflowmeterSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.0",
  summary: "CICFlowMeter CSV (CIC-IDS2017 original and improved, V4, Python cicflowmeter) as canonical flows",
  config: CicConfig,
  provides: CIC_COLUMNS,
  detect: (head) => detectCic(head),
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) => planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)),
      read: (unit, _ctx, resume) =>
        readExportUnit(unit, resume, { pluginId: PLUGIN_ID, columns: CIC_COLUMNS, batchFlows: config.batch_flows }, (sink, path) =>
          cicParser(sink, {
            path,
            timezoneOffsetMin: config.timezone_offset_min,
            dateOrder: config.date_order,
            linkHeaderBytes: config.link_header_bytes,
            timeUnit: config.time_unit
          })
        )
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [cicflowmeterSource]
