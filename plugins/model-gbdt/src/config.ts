/**
 * Configuration of model.gbdt: the `{ type: model.gbdt, … }` entry minus `type`.
 *
 * Holds: the config Schema (snake_case keys, defaults) and its translation into `GbdtParams`.
 * Does not hold: validation of training data (`inputs.ts`).
 */
import { Schema } from "effect"
import type { GbdtParams } from "./prepare.js"

const int = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))
const fraction = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1))
const nonNegative = Schema.Number.pipe(Schema.nonNegative(), Schema.finite())

export const GbdtConfig = Schema.Struct({
  /** boosting rounds (trees) at most */
  trees: Schema.optionalWith(int(1, 100_000), { default: () => 300 }),
  max_depth: Schema.optionalWith(int(1, 32), { default: () => 6 }),
  /** 0: no limit other than max_depth */
  max_leaves: Schema.optionalWith(int(0, 1 << 20), { default: () => 0 }),
  growth: Schema.optionalWith(Schema.Literal("depthwise", "leafwise"), { default: () => "depthwise" as const }),
  learning_rate: Schema.optionalWith(fraction, { default: () => 0.1 }),
  max_bins: Schema.optionalWith(int(2, 255), { default: () => 255 }),
  subsample: Schema.optionalWith(fraction, { default: () => 1 }),
  colsample: Schema.optionalWith(fraction, { default: () => 1 }),
  min_child_weight: Schema.optionalWith(nonNegative, { default: () => 1 }),
  min_samples_leaf: Schema.optionalWith(int(1, 1 << 30), { default: () => 1 }),
  /** L2 regularisation of leaf values */
  lambda: Schema.optionalWith(nonNegative, { default: () => 3 }),
  min_split_gain: Schema.optionalWith(nonNegative, { default: () => 0 }),
  class_weight: Schema.optionalWith(Schema.Literal("none", "balanced"), { default: () => "none" as const }),
  /** 0 turns early stopping (and the validation split) off */
  early_stopping_rounds: Schema.optionalWith(int(0, 100_000), { default: () => 20 }),
  validation_fraction: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 0.5)), { default: () => 0.1 }),
  /** what early stopping watches on the validation rows */
  early_stopping_metric: Schema.optionalWith(Schema.Literal("logloss", "roc_auc"), { default: () => "logloss" as const }),
  /** after early stopping, train again on all rows for the best number of rounds */
  refit: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  seed: Schema.optionalWith(Schema.Int, { default: () => 1 }),
  threads: Schema.optionalWith(int(1, 64), { default: () => 2 })
})
export type GbdtConfig = typeof GbdtConfig.Type

export const gbdtParams = (config: GbdtConfig): GbdtParams => ({
  trees: config.trees,
  maxDepth: config.max_depth,
  maxLeaves: config.max_leaves,
  leafwise: config.growth === "leafwise",
  learningRate: config.learning_rate,
  maxBins: config.max_bins,
  subsample: config.subsample,
  colsample: config.colsample,
  minChildWeight: config.min_child_weight,
  minSamplesLeaf: config.min_samples_leaf,
  lambda: config.lambda,
  minSplitGain: config.min_split_gain,
  classWeight: config.class_weight,
  earlyStoppingRounds: config.early_stopping_rounds,
  validationFraction: config.validation_fraction,
  stoppingMetric: config.early_stopping_metric,
  refit: config.refit,
  seed: config.seed
})
