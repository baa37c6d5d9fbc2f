/**
 * Seeded pseudo-random numbers for the generator: sfc32 seeded through splitmix32, and the
 * distributions behaviours draw from.
 *
 * Holds: `Rng` (uniform, integers, exponential, normal, log-normal, Poisson-process gaps,
 * weighted choice, random hex and bytes) and `deriveSeed`, which gives independent streams
 * per host and behaviour so one change does not reshuffle everything else.
 * Does not hold: any use of Math.random (never used: same seed, same bytes).
 */

const splitmix32 = (state: number): [number, number] => {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  z ^= z >>> 16
  return [next, z >>> 0]
}

/** A seed for a sub-stream: mixes a parent seed with a label (host name, behaviour index…). */
export const deriveSeed = (parent: number, label: string | number): number => {
  let h = (parent ^ 0x5bd1e995) >>> 0
  const text = String(label)
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  }
  return splitmix32(h)[1]
}

const HEX = "0123456789abcdef"

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number
  private spareNormal = Number.NaN

  constructor(seed: number) {
    let s = seed >>> 0
    const out: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const [next, value] = splitmix32(s)
      s = next
      out.push(value)
    }
    this.a = out[0]!
    this.b = out[1]!
    this.c = out[2]!
    this.d = out[3]!
    for (let i = 0; i < 12; i++) this.nextU32()
  }

  /** A child stream, independent of later draws from this one. */
  fork(label: string | number): Rng {
    return new Rng(deriveSeed(this.nextU32(), label))
  }

  /** sfc32 step: a uniform unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    return (this.nextU32() * 0x200000 + (this.nextU32() >>> 11)) / 9007199254740992
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  /** Exponential with the given mean (the gap of a Poisson process of rate 1/mean). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean
  }

  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal
      this.spareNormal = Number.NaN
      return mean + sd * z
    }
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return mean + sd * r * Math.cos(2 * Math.PI * v)
  }

  /** Log-normal with the given median and log-space sigma. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** Pareto (heavy tail) with scale `min` and shape `alpha`. */
  pareto(min: number, alpha: number): number {
    return min / Math.pow(1 - this.next(), 1 / alpha)
  }

  /** Poisson-distributed count with the given mean (Knuth for small means, normal beyond). */
  poisson(mean: number): number {
    if (mean <= 0) return 0
    if (mean > 50) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))))
    const limit = Math.exp(-mean)
    let k = 0
    let p = this.next()
    while (p > limit) {
      k++
      p *= this.next()
    }
    return k
  }

  pick<T>(items: ReadonlyArray<T>): T {
    if (items.length === 0) throw new Error("pick from an empty list")
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Index chosen with probability proportional to `weights[i]`. */
  weightedIndex(weights: ReadonlyArray<number>): number {
    let total = 0
    for (const w of weights) total += Math.max(0, w)
    let r = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      r -= Math.max(0, weights[i]!)
      if (r < 0) return i
    }
    return weights.length - 1
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    let out = ""
    for (let i = 0; i < n; i++) out += HEX[this.nextU32() & 15]
    return out
  }

  /** Fill `dst[start, start+length)` with random bytes. */
  fill(dst: Uint8Array, start = 0, length = dst.length - start): void {
    let i = start
    const end = start + length
    while (i < end) {
      let v = this.nextU32()
      for (let k = 0; k < 4 && i < end; k++, i++) {
        dst[i] = v & 0xff
        v >>>= 8
      }
    }
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    this.fill(out)
    return out
  }
}
