/**
 * Configuration of model.xgboost-wasm: the `{ type: model.xgboost-wasm, … }` entry minus `type`.
 *
 * Holds: the config Schema (snake_case keys, defaults) and the XGBoost parameters handed to
 * ml-xgboost.
 * Does not hold: the limits' reasoning (see README.md).
 */
import { Schema } from "effect"

const int = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))
const fraction = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1))
const nonNegative = Schema.Number.pipe(Schema.nonNegative(), Schema.finite())

export const XgbConfig = Schema.Struct({
  trees: Schema.optionalWith(int(1, 100_000), { default: () => 100 }),
  max_depth: Schema.optionalWith(int(1, 32), { default: () => 6 }),
  learning_rate: Schema.optionalWith(fraction, { default: () => 0.1 }),
  min_child_weight: Schema.optionalWith(nonNegative, { default: () => 1 }),
  subsample: Schema.optionalWith(fraction, { default: () => 1 }),
  colsample: Schema.optionalWith(fraction, { default: () => 1 }),
  lambda: Schema.optionalWith(nonNegative, { default: () => 1 }),
  /** `balanced` sets XGBoost's scale_pos_weight to negatives / positives */
  class_weight: Schema.optionalWith(Schema.Literal("none", "balanced"), { default: () => "none" as const }),
  seed: Schema.optionalWith(int(0, 2 ** 31 - 1), { default: () => 1 }),
  /** training rows above this are refused (single-threaded exact greedy XGBoost in WebAssembly) */
  max_rows: Schema.optionalWith(int(1, 100_000_000), { default: () => 200_000 }),
  /**
   * training matrices above this many MiB (rows x (features + 1) x 4 bytes) are refused: ml-xgboost
   * copies them onto its 5 MiB WebAssembly stack, and a real run breaks just above 5.0 MiB (README.md)
   */
  max_training_mib: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThan(0), Schema.finite()), { default: () => 4.5 })
})
export type XgbConfig = typeof XgbConfig.Type

export const boosterOptions = (config: XgbConfig, positives: number, negatives: number): Record<string, unknown> => ({
  booster: "gbtree",
  objective: "binary:logistic",
  max_depth: config.max_depth,
  eta: config.learning_rate,
  min_child_weight: config.min_child_weight,
  subsample: config.subsample,
  colsample_bytree: config.colsample,
  lambda: config.lambda,
  scale_pos_weight: config.class_weight === "balanced" && positives > 0 ? negatives / positives : 1,
  seed: config.seed,
  silent: 1,
  iterations: config.trees
})
