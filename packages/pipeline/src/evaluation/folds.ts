/**
 * Folds for out-of-fold training scores: which training rows are scored by a model that did
 * not see them, grouped so that near-duplicates never sit on both sides.
 *
 * Holds: `foldGroups` (a group per training row: its capture when at least `folds` captures hold
 * mining rows and `folds` hold benign rows, else its conversation, i.e. capture plus unordered
 * address pair, so the one-a-minute records of one long session and the repeated connections of
 * one host to one pool stay together; each row its own group when addresses are missing) and
 * `stratifiedGroupFolds` (groups to folds, seeded: groups holding mining rows first, largest
 * first, each to the fold with the fewest mining rows; then the others, largest first, to the
 * fold with the fewest benign rows; the number of folds is lowered to the number of groups of the
 * scarcer class when that is smaller, and is 0 when fewer than 2 folds would hold each class, or
 * the training part of some fold would lack a class).
 * Does not hold: fitting or scoring (`out-of-fold.ts`).
 */
import { makeRng } from "@hashhound/ml"

export type FoldGrouping = "capture" | "conversation" | "flow"

export interface TrainingRowGroups {
  readonly grouping: FoldGrouping
  /** group number per training row */
  readonly group: Int32Array
  readonly groups: number
}

const numbered = (keys: ReadonlyArray<string>): { readonly group: Int32Array; readonly groups: number } => {
  const ids = new Map<string, number>()
  const group = Int32Array.from(keys, (key) => {
    let id = ids.get(key)
    if (id === undefined) {
      id = ids.size
      ids.set(key, id)
    }
    return id
  })
  return { group, groups: ids.size }
}

/** Groups of the training rows; `captures` should already tell datasets apart (`dataset/capture`). */
export const foldGroups = (
  y: Uint8Array,
  captures: ReadonlyArray<string>,
  srcIps: ReadonlyArray<string | null>,
  dstIps: ReadonlyArray<string | null>,
  folds: number
): TrainingRowGroups => {
  const withMining = new Set<string>()
  const withBenign = new Set<string>()
  captures.forEach((capture, row) => (y[row] === 1 ? withMining : withBenign).add(capture))
  if (withMining.size >= folds && withBenign.size >= folds) return { grouping: "capture", ...numbered(captures) }
  const addressed = srcIps.every((ip) => ip !== null) && dstIps.every((ip) => ip !== null)
  if (!addressed) return { grouping: "flow", group: Int32Array.from(y, (_, row) => row), groups: y.length }
  const keys = captures.map((capture, row) => {
    const a = srcIps[row]!
    const b = dstIps[row]!
    return a < b ? `${capture}\u0000${a}\u0000${b}` : `${capture}\u0000${b}\u0000${a}`
  })
  return { grouping: "conversation", ...numbered(keys) }
}

export interface Folds {
  /** folds used; 0 when out-of-fold scores cannot be had (see `reason`) */
  readonly folds: number
  /** fold number per training row */
  readonly fold: Uint8Array
  readonly reason?: string
}

/** Groups to folds, stratified by class (see the module header). */
export const stratifiedGroupFolds = (y: Uint8Array, groups: TrainingRowGroups, wanted: number, seed: number): Folds => {
  const mining = new Float64Array(groups.groups)
  const benign = new Float64Array(groups.groups)
  for (let row = 0; row < y.length; row++) {
    if (y[row] === 1) mining[groups.group[row]!]! += 1
    else benign[groups.group[row]!]! += 1
  }
  let miningGroups = 0
  let benignGroups = 0
  for (let g = 0; g < groups.groups; g++) {
    if (mining[g]! > 0) miningGroups++
    if (benign[g]! > 0) benignGroups++
  }
  const k = Math.min(wanted, miningGroups, benignGroups, 255)
  const none = (reason: string): Folds => ({ folds: 0, fold: new Uint8Array(y.length), reason })
  if (k < 2) return none(`${miningGroups} ${groups.grouping} group(s) with mining rows and ${benignGroups} with benign rows: too few for 2 folds`)
  // a seeded shuffle first, so that equal groups are ordered by the seed rather than by position
  const rng = makeRng(seed, 17)
  const order = Array.from({ length: groups.groups }, (_, g) => g)
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.below(i + 1)
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  const size = (g: number): number => mining[g]! + benign[g]!
  const miningFirst = [...order.filter((g) => mining[g]! > 0).sort((a, b) => mining[b]! - mining[a]! || size(b) - size(a))]
  const rest = order.filter((g) => mining[g] === 0).sort((a, b) => size(b) - size(a))
  const foldMining = new Float64Array(k)
  const foldBenign = new Float64Array(k)
  const foldOf = new Uint8Array(groups.groups)
  const place = (g: number, by: Float64Array): void => {
    let best = 0
    for (let f = 1; f < k; f++) if (by[f]! < by[best]! || (by[f] === by[best] && foldMining[f]! + foldBenign[f]! < foldMining[best]! + foldBenign[best]!)) best = f
    foldOf[g] = best
    foldMining[best]! += mining[g]!
    foldBenign[best]! += benign[g]!
  }
  for (const g of miningFirst) place(g, foldMining)
  for (const g of rest) place(g, foldBenign)
  let totalMining = 0
  let totalBenign = 0
  for (let f = 0; f < k; f++) {
    totalMining += foldMining[f]!
    totalBenign += foldBenign[f]!
  }
  for (let f = 0; f < k; f++) {
    if (foldMining[f] === totalMining || foldBenign[f] === totalBenign) return none(`fold ${f + 1} of ${k} holds every ${foldMining[f] === totalMining ? "mining" : "benign"} row`)
  }
  return { folds: k, fold: Uint8Array.from(groups.group, (g) => foldOf[g]!) }
}
