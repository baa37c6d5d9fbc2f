/**
 * Configuration of model.logistic: the `{ type: model.logistic, … }` entry minus `type`.
 *
 * Holds: the config Schema (snake_case keys, defaults).
 * Does not hold: validation of training data (`inputs.ts`).
 */
import { Schema } from "effect"

export const LogisticConfig = Schema.Struct({
  /** L2 penalty on the standardised coefficients (not the intercept): loss sum + l2/2 · |β|² */
  l2: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative(), Schema.finite()), { default: () => 1 }),
  max_iter: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 10_000)), { default: () => 100 }),
  /** stop when no coefficient moves more than this in a Newton step */
  tol: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThan(0), Schema.finite()), { default: () => 1e-8 }),
  class_weight: Schema.optionalWith(Schema.Literal("none", "balanced"), { default: () => "none" as const }),
  /** standardised values beyond ± this many standard deviations are clipped */
  clip_sd: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThan(0), Schema.finite()), { default: () => 50 })
})
export type LogisticConfig = typeof LogisticConfig.Type
