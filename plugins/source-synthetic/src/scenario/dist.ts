/**
 * Distributions in scenario files: a number, or `{ dist: uniform | lognormal | exponential |
 * normal | pareto, … }`, optionally clamped with `min`/`max`; and string choices.
 *
 * Holds: the Schemas (snake_case keys) and `sample`, `sampleChoice`.
 * Does not hold: what each parameter means (see the behaviour that reads it).
 */
import { Schema } from "effect"
import type { Rng } from "../sim/prng.js"

const Clamp = {
  min: Schema.optional(Schema.Number),
  max: Schema.optional(Schema.Number)
}

export const Dist = Schema.Union(
  Schema.Number,
  Schema.Struct({ dist: Schema.Literal("uniform"), low: Schema.Number, high: Schema.Number, ...Clamp }),
  Schema.Struct({ dist: Schema.Literal("lognormal"), median: Schema.Number, sigma: Schema.Number, ...Clamp }),
  Schema.Struct({ dist: Schema.Literal("exponential"), mean: Schema.Number, ...Clamp }),
  Schema.Struct({ dist: Schema.Literal("normal"), mean: Schema.Number, sd: Schema.Number, ...Clamp }),
  Schema.Struct({ dist: Schema.Literal("pareto"), scale: Schema.Number, alpha: Schema.Number, ...Clamp }),
  Schema.Struct({ dist: Schema.Literal("choice"), values: Schema.Array(Schema.Number), weights: Schema.optional(Schema.Array(Schema.Number)) })
)
export type Dist = typeof Dist.Type

/** A string picked from a list, weighted, or a fixed string. */
export const Choice = Schema.Union(
  Schema.String,
  Schema.Struct({ choice: Schema.Array(Schema.String), weights: Schema.optional(Schema.Array(Schema.Number)) })
)
export type Choice = typeof Choice.Type

export const sample = (rng: Rng, dist: Dist): number => {
  if (typeof dist === "number") return dist
  let value: number
  switch (dist.dist) {
    case "uniform":
      value = rng.uniform(dist.low, dist.high)
      break
    case "lognormal":
      value = rng.logNormal(dist.median, dist.sigma)
      break
    case "exponential":
      value = rng.exponential(dist.mean)
      break
    case "normal":
      value = rng.normal(dist.mean, dist.sd)
      break
    case "pareto":
      value = rng.pareto(dist.scale, dist.alpha)
      break
    case "choice": {
      const index = dist.weights === undefined ? rng.int(0, dist.values.length - 1) : rng.weightedIndex(dist.weights)
      return dist.values[index] ?? 0
    }
  }
  if (dist.min !== undefined) value = Math.max(dist.min, value)
  if (dist.max !== undefined) value = Math.min(dist.max, value)
  return value
}

export const sampleChoice = (rng: Rng, choice: Choice): string => {
  if (typeof choice === "string") return choice
  const index = choice.weights === undefined ? rng.int(0, choice.choice.length - 1) : rng.weightedIndex(choice.weights)
  return choice.choice[index] ?? choice.choice[0] ?? ""
}

/** The mean of a distribution (for docs and rate checks); choice means are weighted. */
export const meanOf = (dist: Dist): number => {
  if (typeof dist === "number") return dist
  switch (dist.dist) {
    case "uniform":
      return (dist.low + dist.high) / 2
    case "lognormal":
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2)
    case "exponential":
      return dist.mean
    case "normal":
      return dist.mean
    case "pareto":
      return dist.alpha > 1 ? (dist.alpha * dist.scale) / (dist.alpha - 1) : Number.POSITIVE_INFINITY
    case "choice": {
      const weights = dist.weights ?? dist.values.map(() => 1)
      const total = weights.reduce((a, b) => a + b, 0)
      return dist.values.reduce((sum, v, i) => sum + v * (weights[i] ?? 0), 0) / (total || 1)
    }
  }
}
