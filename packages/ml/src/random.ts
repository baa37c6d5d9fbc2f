/**
 * Seeded pseudo-random numbers for everything random inside a model's `fit` (row and column
 * sampling, bootstrap draws, the validation split, quantile sampling) and in the evaluation
 * helpers (permutations, bootstrap resamples), so that a seed gives the same result every time.
 *
 * Holds: `makeRng` (sfc32 seeded through splitmix32, with independent streams per tree or task),
 * selection sampling of k of n indices in ascending order, and a partial shuffle for picking k
 * distinct features.
 * Does not hold: any use of `Math.random`; anything model-specific.
 */

export interface Rng {
  /** uniform in [0, 1) */
  readonly float: () => number
  /** uniform integer in [0, n) */
  readonly below: (n: number) => number
}

const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** A generator for `seed` and an optional stream number (independent sequences per tree, per task). */
export const makeRng = (seed: number, stream = 0): Rng => {
  const init = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab))
  let a = init()
  let b = init()
  let c = init()
  let d = init() | 1
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) next32()
  const float = (): number => next32() / 4294967296
  return { float, below: (n) => Math.floor(float() * n) }
}

/** `k` distinct indices of `0..n-1`, ascending (Knuth's selection sampling). */
export const sampleAscending = (rng: Rng, n: number, k: number, out: Uint32Array): number => {
  let needed = Math.min(k, n)
  let written = 0
  for (let i = 0; i < n && needed > 0; i++) {
    if (rng.float() * (n - i) < needed) {
      out[written++] = i
      needed--
    }
  }
  return written
}

/** `k` distinct values of `0..n-1`, sorted ascending (partial Fisher-Yates). */
export const pickDistinct = (rng: Rng, n: number, k: number): Int32Array => {
  const pool = new Int32Array(n)
  for (let i = 0; i < n; i++) pool[i] = i
  const take = Math.min(k, n)
  for (let i = 0; i < take; i++) {
    const j = i + rng.below(n - i)
    const tmp = pool[i]!
    pool[i] = pool[j]!
    pool[j] = tmp
  }
  return pool.slice(0, take).sort()
}
