/**
 * `labeler.scenario`: labels flows by capture name and time window, from rules written in the
 * pipeline (`rules:`) or in a CSV file (`rules_csv:`), with an optional `default` for the rest
 * of a matching capture.
 *
 * Holds: the config Schema (times are checked while decoding, so a bad time is a ConfigError
 * with its YAML path), the plugin manifest and the plugin list. The CSV file is read on first
 * use and kept; a relative path resolves from the stage context's `baseDir` when the runner
 * passes one as `label`'s third argument, else from the working folder. Windows are widened by
 * max(`tolerance_s`, the run-wide `label_skew_s` the runner passes as `labelSkewS`).
 * Does not hold: the window rule (`windows.ts`) or rule parsing (`rules.ts`).
 */
import {
  definePlugin,
  type AnyPlugin,
  type BatchInfo,
  type FlowBatch,
  type LabelerContext,
  type LabelerStage,
  type PluginError,
  type StageContext
} from "@hashhound/core"
import { Effect, Schema } from "effect"
import { isAbsolute, resolve } from "node:path"
import { parseInstantUs } from "@hashhound/core"
import { compileRule, loadRulesCsv, PLUGIN_ID, type ScenarioRule } from "./rules.js"
import { scenarioAnswer } from "./windows.js"

export { PLUGIN_ID } from "./rules.js"

const LabelValue = Schema.Literal("mining", "benign", "unknown")

const Instant = Schema.Union(Schema.String, Schema.Number).pipe(
  Schema.filter((value) => parseInstantUs(value) !== undefined || "expected an ISO 8601 time with a zone (2024-03-01T10:00:00Z) or epoch seconds")
)

export const ScenarioRuleConfig = Schema.Struct({
  /** glob over the capture id (path relative to the pipeline folder) or its base name */
  capture: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1)), { default: () => "**" }),
  /** window start (inclusive); open when absent */
  from: Schema.optional(Instant),
  /** window end (inclusive); open when absent */
  to: Schema.optional(Instant),
  label: LabelValue,
  /** what the label_detail of matching flows starts with */
  detail: Schema.optional(Schema.String)
}).pipe(
  Schema.filter((rule) => {
    const from = rule.from === undefined ? undefined : parseInstantUs(rule.from)
    const to = rule.to === undefined ? undefined : parseInstantUs(rule.to)
    return from === undefined || to === undefined || from <= to || "from is after to"
  })
)

export const ScenarioConfig = Schema.Struct({
  /** rules in priority order: the first whose capture and window match decides */
  rules: Schema.optionalWith(Schema.Array(ScenarioRuleConfig), { default: () => [] }),
  /** CSV file of more rules (columns capture, from, to, label, detail), after `rules` */
  rules_csv: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** label of flows of matching captures outside every window; null = no opinion */
  default: Schema.optionalWith(Schema.NullOr(LabelValue), { default: () => null }),
  /** seconds each window is widened by on both sides (clock skew between label times and captures); the run-wide label_skew_s applies when larger */
  tolerance_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 0 })
}).pipe(
  Schema.filter(
    (config) =>
      config.rules.length > 0 || config.rules_csv !== undefined || config.default !== null || "give rules, rules_csv or default (else this labeler never has an opinion)"
  )
)
export type ScenarioConfig = typeof ScenarioConfig.Type

const resolvePath = (path: string, context: StageContext | undefined): string =>
  isAbsolute(path) ? path : resolve(context?.baseDir ?? process.cwd(), path)

export const scenarioLabeler = definePlugin({
  id: PLUGIN_ID,
  kind: "labeler",
  version: "0.1.0",
  summary: "labels flows by capture-name glob and time window (lab runs, attack schedules), with a default for the rest",
  config: ScenarioConfig,
  requires: ["first_seen_us", "last_seen_us"],
  provides: ["label", "label_detail"],
  make: (config) =>
    Effect.sync((): LabelerStage => {
      const inline = config.rules.flatMap((rule, index) => {
        const compiled = compileRule(rule, `rule ${index + 1}`)
        return typeof compiled === "string" ? [] : [compiled]
      })
      const loaded = new Map<string, ReadonlyArray<ScenarioRule>>()
      const rulesFor = (context: StageContext | undefined): Effect.Effect<ReadonlyArray<ScenarioRule>, PluginError> => {
        if (config.rules_csv === undefined) return Effect.succeed(inline)
        const path = resolvePath(config.rules_csv, context)
        const cached = loaded.get(path)
        if (cached !== undefined) return Effect.succeed(cached)
        return Effect.map(loadRulesCsv(path, config.rules_csv), (fromCsv) => {
          const all = [...inline, ...fromCsv]
          loaded.set(path, all)
          return all
        })
      }
      return {
        label: (batch: FlowBatch, info: BatchInfo, context?: LabelerContext) =>
          Effect.map(rulesFor(context), (rules) =>
            scenarioAnswer(batch, info.capture, {
              rules,
              defaultLabel: config.default,
              // windows widen by the larger of this labeler's tolerance and the run-wide label skew
              toleranceUs: Math.round(Math.max(config.tolerance_s, context?.labelSkewS ?? 0) * 1e6)
            })
          )
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [scenarioLabeler]
