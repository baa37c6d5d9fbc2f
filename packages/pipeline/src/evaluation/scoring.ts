/**
 * Scoring new traffic with a trained model (what `hashhound score` needs, without its I/O).
 *
 * Holds: `chooseThreshold` (an explicit `--threshold`, the card's threshold at a `--target-fpr`,
 * or the card's default: the threshold at its smallest target FPR), `meterSettings` (the flow
 * metering settings of the training sources, `idle_timeout_s`, `active_timeout_s`,
 * `tcp_linger_s`, `splt_packets`, so new captures are cut into flows the way the training flows
 * were) and `scoringSpec` (a PipelineSpec with one dataset per source plugin over the inputs, no
 * labels, no QC, the card's feature groups with their configs and guarded-column allowance, no
 * models).
 * Does not hold: running it or writing alerts (the CLI; `alerts.ts`).
 */
import { Either } from "effect"
import type { PipelineSpec } from "../spec.js"
import type { ModelCardJson } from "./card.js"

export interface ChosenThreshold {
  readonly value: number
  /** how it was chosen: `--threshold`, `fpr=0.001` (card), … */
  readonly rule: string
}

/** The alert threshold; Left is a usage message. */
export const chooseThreshold = (
  card: ModelCardJson,
  options: { readonly threshold?: number; readonly targetFpr?: number }
): Either.Either<ChosenThreshold, string> => {
  if (options.threshold !== undefined && options.targetFpr !== undefined) return Either.left("give --threshold or --target-fpr, not both")
  if (options.threshold !== undefined) {
    return Number.isFinite(options.threshold) ? Either.right({ value: options.threshold, rule: "--threshold" }) : Either.left("--threshold must be a finite number")
  }
  const values = card.thresholds.values
  const available = values.filter((t) => t.rule === "target_fpr" && t.target_fpr !== undefined).map((t) => String(t.target_fpr))
  if (options.targetFpr !== undefined) {
    const match = values.find((t) => t.rule === "target_fpr" && t.target_fpr === options.targetFpr)
    if (match === undefined) return Either.left(`the model card has no threshold at target FPR ${options.targetFpr} (it has: ${available.join(", ") || "none"})`)
    return match.threshold === null ? Either.left(`the threshold at target FPR ${options.targetFpr} could not be fixed on the training data`) : Either.right({ value: match.threshold, rule: match.id })
  }
  const byFpr = values.filter((t) => t.rule === "target_fpr" && t.threshold !== null && t.target_fpr !== undefined).sort((a, b) => a.target_fpr! - b.target_fpr!)
  const chosen = byFpr[0] ?? values.find((t) => t.id === card.thresholds.default && t.threshold !== null) ?? values.find((t) => t.threshold !== null)
  return chosen === undefined || chosen.threshold === null ? Either.left("the model card has no usable threshold; give --threshold") : Either.right({ value: chosen.threshold, rule: chosen.id })
}

/** Flow metering settings a source may share with the training sources. */
export const FLOW_METER_KEYS = ["idle_timeout_s", "active_timeout_s", "tcp_linger_s", "splt_packets", "byte_layer", "tunnels", "duplicates"] as const

/** The metering settings of the card's first training source that has any. */
export const meterSettings = (card: ModelCardJson): Readonly<Record<string, unknown>> => {
  for (const source of card.training_sources) {
    const picked = Object.fromEntries(FLOW_METER_KEYS.filter((key) => source.raw[key] !== undefined).map((key) => [key, source.raw[key]]))
    if (Object.keys(picked).length > 0) return picked
  }
  return {}
}

export interface ScoringInput {
  /** source plugin id */
  readonly type: string
  /** the source's raw config (`paths` and any metering settings it accepts) */
  readonly raw: Readonly<Record<string, unknown>>
}

/** One dataset per source: `<plugin name>` (`pcap`, `zeek-conn`), `-2`, … for repeats. */
export const scoringSpec = (card: ModelCardJson, inputs: ReadonlyArray<ScoringInput>, output: string, baseDir: string): PipelineSpec => {
  const seen = new Map<string, number>()
  const datasets = inputs.map((input, index) => {
    const base = input.type.replace(/^source\./, "")
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return { name: count === 1 ? base : `${base}-${count}`, source: { type: input.type, raw: input.raw, path: `inputs.${index}` }, labels: [] }
  })
  return {
    name: "score",
    baseDir,
    output,
    plugins: [],
    datasets,
    qc: [],
    features: card.feature_groups.map((group, index) => ({ type: group.type, raw: group.raw, path: `card.feature_groups.${index}` })),
    models: [],
    reports: [],
    options: { dataset_concurrency: 1, unit_concurrency: 1, label_skew_s: 0, allow_guarded_columns: card.allow_guarded_columns }
  }
}
