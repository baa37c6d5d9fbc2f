/**
 * Fitting L2-regularised logistic regression by Newton's method (IRLS) with a backtracking line
 * search, on standardised features.
 *
 * Holds: `standardiser` (mean and standard deviation of the non-missing training values; a
 * missing value becomes the mean, i.e. 0 after standardising; constant or all-missing features
 * get sd 1; values are clipped to ± `clip_sd`), `fitNewton` (objective Σ wᵢ·lossᵢ + l2/2·|β|²,
 * intercept unpenalised, Cholesky solves of the (p+1)² Hessian with a small ridge if it is not
 * positive definite) and `linearScores`.
 * Does not hold: Effect or input checks (`stage.ts`). Suited to tens or a few hundred
 * features: each step costs rows × p² and a p³ solve.
 */

export interface Standardiser {
  readonly means: Float64Array
  readonly sds: Float64Array
  readonly clip: number
}

export const standardiser = (columns: ReadonlyArray<Float64Array>, rows: number, clip: number): Standardiser => {
  const p = columns.length
  const means = new Float64Array(p)
  const sds = new Float64Array(p).fill(1)
  for (let j = 0; j < p; j++) {
    const column = columns[j]!
    let count = 0
    let mean = 0
    let m2 = 0
    for (let r = 0; r < rows; r++) {
      const v = column[r]!
      if (!Number.isFinite(v)) continue
      count++
      const delta = v - mean
      mean += delta / count
      m2 += delta * (v - mean)
    }
    means[j] = count > 0 ? mean : 0
    const sd = count > 1 ? Math.sqrt(m2 / count) : 0
    sds[j] = sd > 0 && Number.isFinite(sd) ? sd : 1
  }
  return { means, sds, clip }
}

/** Standardised row `r` into `out` (missing → 0, ±∞ and outliers → ±clip). */
export const standardRow = (columns: ReadonlyArray<Float64Array>, s: Standardiser, r: number, out: Float64Array): void => {
  for (let j = 0; j < out.length; j++) {
    const v = columns[j]![r]!
    if (v !== v) {
      out[j] = 0
      continue
    }
    const z = (v - s.means[j]!) / s.sds[j]!
    out[j] = z > s.clip ? s.clip : z < -s.clip ? -s.clip : z
  }
}

export interface NewtonParams {
  readonly l2: number
  readonly maxIter: number
  readonly tol: number
}

export interface NewtonResult {
  readonly intercept: number
  readonly coefficients: Float64Array
  readonly iterations: number
  readonly converged: boolean
  /** penalised weighted log-loss sum at the end */
  readonly objective: number
}

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))
const sigmoid = (s: number): number => (s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s)))

/** Solve `a x = b` for symmetric positive definite `a` (n×n, row-major) in place; false if not SPD. */
const choleskySolve = (a: Float64Array, b: Float64Array, n: number): boolean => {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!
    if (!(d > 0)) return false
    const l = Math.sqrt(d)
    a[j * n + j] = l
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!
      a[i * n + j] = s / l
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * b[k]!
    b[i] = s / a[i * n + i]!
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * b[k]!
    b[i] = s / a[i * n + i]!
  }
  return true
}

/** Linear scores (log-odds) for rows 0..rows-1. */
export const linearScores = (
  columns: ReadonlyArray<Float64Array>,
  rows: number,
  s: Standardiser,
  intercept: number,
  coefficients: Float64Array
): Float64Array => {
  const z = new Float64Array(coefficients.length)
  const out = new Float64Array(rows)
  for (let r = 0; r < rows; r++) {
    standardRow(columns, s, r, z)
    let eta = intercept
    for (let j = 0; j < z.length; j++) eta += coefficients[j]! * z[j]!
    out[r] = eta
  }
  return out
}

export const fitNewton = (
  columns: ReadonlyArray<Float64Array>,
  rows: number,
  y: Uint8Array,
  w: Float64Array,
  s: Standardiser,
  params: NewtonParams
): NewtonResult => {
  const p = columns.length
  const n = p + 1 // index 0 is the intercept
  const beta = new Float64Array(n)
  let sumW = 0
  let sumWY = 0
  for (let r = 0; r < rows; r++) {
    sumW += w[r]!
    sumWY += w[r]! * y[r]!
  }
  const prior = Math.min(1 - 1e-12, Math.max(1e-12, sumWY / sumW))
  beta[0] = Math.log(prior / (1 - prior))
  const z = new Float64Array(p)
  const objective = (b: Float64Array): number => {
    const scores = linearScores(columns, rows, s, b[0]!, b.subarray(1))
    let total = 0
    for (let r = 0; r < rows; r++) total += w[r]! * softplus(y[r] === 1 ? -scores[r]! : scores[r]!)
    let penalty = 0
    for (let j = 1; j < n; j++) penalty += b[j]! * b[j]!
    return total + (params.l2 / 2) * penalty
  }
  let current = objective(beta)
  let iterations = 0
  let converged = false
  const hessian = new Float64Array(n * n)
  const gradient = new Float64Array(n)
  const x = new Float64Array(n)
  while (iterations < params.maxIter && !converged) {
    iterations++
    hessian.fill(0)
    gradient.fill(0)
    for (let r = 0; r < rows; r++) {
      standardRow(columns, s, r, z)
      x[0] = 1
      x.set(z, 1)
      let eta = 0
      for (let j = 0; j < n; j++) eta += beta[j]! * x[j]!
      const prob = sigmoid(eta)
      const g = w[r]! * (prob - y[r]!)
      const h = w[r]! * Math.max(prob * (1 - prob), 1e-12)
      for (let i = 0; i < n; i++) {
        const xi = x[i]!
        if (xi === 0) continue
        gradient[i] = gradient[i]! + g * xi
        const hx = h * xi
        for (let j = 0; j <= i; j++) hessian[i * n + j] = hessian[i * n + j]! + hx * x[j]!
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) hessian[j * n + i] = hessian[i * n + j]!
    for (let j = 1; j < n; j++) {
      gradient[j] = gradient[j]! + params.l2 * beta[j]!
      hessian[j * n + j] = hessian[j * n + j]! + params.l2
    }
    const step = Float64Array.from(gradient)
    const system = Float64Array.from(hessian)
    if (!choleskySolve(system, step, n)) {
      // not positive definite (collinear features without penalty): add a small ridge
      let trace = 0
      for (let i = 0; i < n; i++) trace += hessian[i * n + i]!
      const ridge = Math.max(1e-10, (1e-8 * trace) / n)
      const ridged = Float64Array.from(hessian)
      for (let i = 0; i < n; i++) ridged[i * n + i] = ridged[i * n + i]! + ridge
      step.set(gradient)
      if (!choleskySolve(ridged, step, n)) break
    }
    // backtracking: halve the Newton step until the objective does not rise
    let scale = 1
    let accepted = false
    const candidate = new Float64Array(n)
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let j = 0; j < n; j++) candidate[j] = beta[j]! - scale * step[j]!
      const value = objective(candidate)
      if (value <= current) {
        accepted = true
        let moved = 0
        for (let j = 0; j < n; j++) moved = Math.max(moved, Math.abs(candidate[j]! - beta[j]!))
        const relative = (current - value) / Math.max(1, Math.abs(current))
        beta.set(candidate)
        current = value
        converged = moved < params.tol || relative < params.tol * 1e-3
        break
      }
      scale /= 2
    }
    if (!accepted) {
      converged = true
      break
    }
  }
  return { intercept: beta[0]!, coefficients: beta.slice(1), iterations, converged, objective: current }
}
