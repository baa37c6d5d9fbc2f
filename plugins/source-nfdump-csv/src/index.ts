/**
 * `source.nfdump-csv`: `nfdump -o csv` exports as canonical flows, one-way records paired into
 * bidirectional flows where the pairing is unambiguous.
 *
 * Holds: the config Schema, the plugin manifest (detect, plan, read) and the plugin list.
 * Does not hold: the column mapping (`nfdump-format.ts`), the pairing (`biflow-pairing.ts`)
 * or batching (`FlowSink` from @hashhound/flowmeter).
 */
import { definePlugin, MAX_BATCH_ROWS, type AnyPlugin, type SourceStage } from "@hashhound/core"
import { fingerprintFor, planFiles, readExportUnit } from "@hashhound/flowmeter"
import { Effect, Schema } from "effect"
import { detectNfdump, NFDUMP_COLUMNS, nfdumpParser } from "./nfdump-format.js"

export const NfdumpConfig = Schema.Struct({
  /** files, folders or globs, relative to the pipeline file */
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** flows per batch */
  batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS }),
  /** offset of the export's clock from UTC in minutes (nfdump prints local time without a zone) */
  timezone_offset_min: Schema.optionalWith(Schema.Int.pipe(Schema.between(-24 * 60, 24 * 60)), { default: () => 0 }),
  /** pair one-way records with their reverse into bidirectional flows */
  pair_biflows: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** a connection is decided once record ends in the file have moved this far past its last record */
  pairing_window_s: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 86_400)), { default: () => 600 }),
  /** slack when testing whether two records' time spans overlap (nfdump prints whole seconds) */
  pairing_tolerance_s: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 3600)), { default: () => 1 }),
  /** one-way records held for pairing at most; beyond, the oldest connections are decided early */
  max_pending_records: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 10_000_000)), { default: () => 250_000 })
})
export type NfdumpConfig = typeof NfdumpConfig.Type

export const PLUGIN_ID = "source.nfdump-csv"

export const nfdumpSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.0",
  summary: "nfdump CSV exports as canonical flows, one-way records paired into biflows where unambiguous",
  config: NfdumpConfig,
  provides: NFDUMP_COLUMNS,
  detect: (head) => detectNfdump(head),
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) => planFiles(config.paths, ctx.baseDir, fingerprintFor(ctx)),
      read: (unit, _ctx, resume) =>
        readExportUnit(unit, resume, { pluginId: PLUGIN_ID, columns: NFDUMP_COLUMNS, batchFlows: config.batch_flows }, (sink, path) =>
          nfdumpParser(sink, {
            path,
            timezoneOffsetMin: config.timezone_offset_min,
            pairing: config.pair_biflows
              ? {
                  windowUs: Math.round(config.pairing_window_s * 1e6),
                  toleranceUs: Math.round(config.pairing_tolerance_s * 1e6),
                  maxPending: config.max_pending_records
                }
              : undefined
          })
        )
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [nfdumpSource]
