/**
 * Configuration of model.random-forest: the `{ type: model.random-forest, … }` entry minus `type`.
 *
 * Holds: the config Schema (snake_case keys, defaults) and `featuresPerSplit`, which turns
 * `max_features` into a count.
 * Does not hold: validation of training data (`inputs.ts`).
 */
import { Schema } from "effect"

const int = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))
const fraction = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1))

export const ForestConfig = Schema.Struct({
  trees: Schema.optionalWith(int(1, 10_000), { default: () => 100 }),
  max_depth: Schema.optionalWith(int(1, 64), { default: () => 12 }),
  min_samples_leaf: Schema.optionalWith(int(1, 1 << 30), { default: () => 5 }),
  /** features tried per split: `sqrt`, `log2`, `all`, or a share of the features in (0, 1] */
  max_features: Schema.optionalWith(Schema.Union(Schema.Literal("sqrt", "log2", "all"), fraction), {
    default: () => "sqrt" as const
  }),
  criterion: Schema.optionalWith(Schema.Literal("gini", "entropy"), { default: () => "gini" as const }),
  /** draw each tree's rows with replacement; off: every tree sees every row (no out-of-bag score) */
  bootstrap: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  max_bins: Schema.optionalWith(int(2, 255), { default: () => 255 }),
  class_weight: Schema.optionalWith(Schema.Literal("none", "balanced"), { default: () => "none" as const }),
  seed: Schema.optionalWith(Schema.Int, { default: () => 1 }),
  threads: Schema.optionalWith(int(1, 64), { default: () => 2 })
})
export type ForestConfig = typeof ForestConfig.Type

/** Features tried per split for `features` candidate features (at least 1). */
export const featuresPerSplit = (maxFeatures: ForestConfig["max_features"], features: number): number => {
  const count =
    maxFeatures === "sqrt"
      ? Math.sqrt(features)
      : maxFeatures === "log2"
        ? Math.log2(Math.max(features, 1))
        : maxFeatures === "all"
          ? features
          : maxFeatures * features
  return Math.max(1, Math.min(features, Math.round(count)))
}
