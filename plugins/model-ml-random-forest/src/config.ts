/**
 * Configuration of model.ml-random-forest: the `{ type: model.ml-random-forest, … }` entry
 * minus `type`.
 *
 * Holds: the config Schema (snake_case keys, defaults) and the options object handed to
 * ml-random-forest's `RandomForestClassifier`.
 * Does not hold: the row limit's reasoning (see README.md).
 */
import { Schema } from "effect"

const int = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))

export const MlForestConfig = Schema.Struct({
  trees: Schema.optionalWith(int(1, 1000), { default: () => 20 }),
  /** share of the features each tree gets (ml-random-forest samples features per tree, not per split) */
  max_features: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1)), { default: () => 0.5 }),
  max_depth: Schema.optionalWith(int(1, 64), { default: () => 10 }),
  /** ml-cart's minNumSamples: a node with fewer rows is not split */
  min_samples_split: Schema.optionalWith(int(2, 1 << 30), { default: () => 3 }),
  seed: Schema.optionalWith(int(0, 2 ** 31 - 1), { default: () => 1 }),
  /**
   * training rows above this are refused: ml-random-forest's time grows a little faster than rows
   * squared (5 trees, 20 features: 3.7 s CPU at 5k rows, 16 s at 10k, 74 s at 20k; README.md)
   */
  max_rows: Schema.optionalWith(int(1, 10_000_000), { default: () => 10_000 })
})
export type MlForestConfig = typeof MlForestConfig.Type

export const forestOptions = (config: MlForestConfig, features: number): Record<string, unknown> => ({
  nEstimators: config.trees,
  // an integer count: ml-random-forest reads 1.0 as "one feature"
  maxFeatures: Math.max(1, Math.min(features, Math.round(config.max_features * features))),
  replacement: false,
  seed: config.seed,
  useSampleBagging: true,
  noOOB: true,
  treeOptions: { gainFunction: "gini", maxDepth: config.max_depth, minNumSamples: config.min_samples_split }
})
