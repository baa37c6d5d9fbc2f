/**
 * The rows an evaluation works on, and the per-behaviour and per-capture breakdowns.
 *
 * Holds: `evaluationRows` (from a dataset's merged labels, `label_raw` and `capture` per row:
 * the labelled rows (mining → 1, benign → 0; unknown and anything else excluded and counted;
 * rows marked as duplicates of another flow excluded and counted, so that no flow counts twice),
 * their behaviour group (`label_raw` with the merged label) and capture) and `breakdowns` (per
 * behaviour and per capture, how many rows the fixed thresholds flag: recall per mining
 * behaviour, false-positive rate per benign behaviour; and a ROC-AUC per group: a mining group's
 * flows against every benign flow of the dataset, every mining flow against a benign group's
 * flows; the largest groups are listed, the rest counted together).
 * Does not hold: thresholds (`thresholds.ts`) or whole-dataset metrics (`dataset-metrics.ts`).
 */
import { rankedRocAuc, ranking, type Ranking } from "@hashhound/ml"
import { finiteOrNull, type BehaviourRow, type CaptureRow, type EvaluatedLabelCounts, type GroupsLeftOut, type OperatingPoint } from "./format.js"

interface BehaviourGroup {
  readonly value: string | null
  readonly label: "mining" | "benign"
  flows: number
}

interface CaptureGroup {
  readonly capture: string | null
  flows: number
  mining: number
  benign: number
  unknown: number
}

export interface EvaluationRows {
  readonly counts: EvaluatedLabelCounts
  /** dataset row of each labelled row */
  readonly known: Uint32Array
  /** 1 mining, 0 benign, per labelled row */
  readonly y: Uint8Array
  /** behaviour group per labelled row (-1 when the dataset has no label_raw) */
  readonly behaviour: Int32Array
  readonly behaviours: ReadonlyArray<BehaviourGroup>
  /** capture group per labelled row */
  readonly capture: Int32Array
  readonly captures: ReadonlyArray<CaptureGroup>
}

/**
 * Labelled rows and their groups. `labelRaw` / `captures` may be absent (no such column);
 * `duplicate` flags rows to leave out (the label stage's `duplicate of <flow_id>` mark).
 */
export const evaluationRows = (
  labels: ReadonlyArray<string | null>,
  labelRaw: ReadonlyArray<string | null> | undefined,
  captureNames: ReadonlyArray<string | null> | undefined,
  duplicate?: Uint8Array
): EvaluationRows => {
  const hasRaw = labelRaw !== undefined && labelRaw.some((value) => value !== null && value !== "")
  const known: Array<number> = []
  const behaviourIds = new Map<string, number>()
  const behaviours: Array<BehaviourGroup> = []
  const captureIds = new Map<string, number>()
  const captures: Array<CaptureGroup> = []
  const behaviourOf: Array<number> = []
  const captureOf: Array<number> = []
  let mining = 0
  let benign = 0
  let duplicates = 0
  for (let row = 0; row < labels.length; row++) {
    if (duplicate !== undefined && duplicate[row] === 1) {
      duplicates++
      continue
    }
    const label = labels[row]
    const captureName = captureNames?.[row] ?? null
    const captureKey = captureName ?? "\u0000"
    let captureId = captureIds.get(captureKey)
    if (captureId === undefined) {
      captureId = captures.length
      captureIds.set(captureKey, captureId)
      captures.push({ capture: captureName, flows: 0, mining: 0, benign: 0, unknown: 0 })
    }
    const group = captures[captureId]!
    group.flows++
    if (label !== "mining" && label !== "benign") {
      group.unknown++
      continue
    }
    if (label === "mining") {
      mining++
      group.mining++
    } else {
      benign++
      group.benign++
    }
    known.push(row)
    captureOf.push(captureId)
    if (!hasRaw) {
      behaviourOf.push(-1)
      continue
    }
    const value = labelRaw[row] ?? null
    const key = `${label}\u0000${value ?? "\u0000"}`
    let id = behaviourIds.get(key)
    if (id === undefined) {
      id = behaviours.length
      behaviourIds.set(key, id)
      behaviours.push({ value, label, flows: 0 })
    }
    behaviours[id]!.flows++
    behaviourOf.push(id)
  }
  const y = new Uint8Array(known.length)
  known.forEach((row, i) => {
    y[i] = labels[row] === "mining" ? 1 : 0
  })
  return {
    counts: { rows: labels.length, mining, benign, unknown_dropped: labels.length - mining - benign - duplicates, duplicates_dropped: duplicates },
    known: Uint32Array.from(known),
    y,
    behaviour: Int32Array.from(behaviourOf),
    behaviours,
    capture: Int32Array.from(captureOf),
    captures
  }
}

/** Flags per group at each point: `counts[point][group]`. */
const flagsPerGroup = (groupOf: Int32Array, groups: number, scores: ArrayLike<number>, points: ReadonlyArray<OperatingPoint>): ReadonlyArray<Float64Array> =>
  points.map((point) => {
    const counts = new Float64Array(groups)
    if (point.threshold === null) return counts
    for (let i = 0; i < groupOf.length; i++) {
      const group = groupOf[i]!
      const score = scores[i]!
      if (group >= 0 && score === score && score >= point.threshold) counts[group]! += 1
    }
    return counts
  })

/**
 * ROC-AUC of one group against the other class: rows of `group` (of class `label`) and every row
 * of the other class count, the rest weigh 0. Null when either side is empty.
 */
const groupAuc = (ranked: Ranking, y: Uint8Array, groupOf: Int32Array, group: number, label: "mining" | "benign", weights: Float64Array): number | null => {
  const own = label === "mining" ? 1 : 0
  for (let i = 0; i < y.length; i++) weights[i] = y[i] !== own || groupOf[i] === group ? 1 : 0
  return finiteOrNull(rankedRocAuc(ranked, y, weights))
}

const perPoint = (points: ReadonlyArray<OperatingPoint>, counts: ReadonlyArray<Float64Array>, group: number): Record<string, number> =>
  Object.fromEntries(points.map((point, p) => [point.id, counts[p]![group]!]))

const leftOut = (order: ReadonlyArray<number>, max: number, flows: (group: number) => number): GroupsLeftOut | undefined => {
  if (order.length <= max) return undefined
  const rest = order.slice(max)
  return { groups: rest.length, flows: rest.reduce((sum, group) => sum + flows(group), 0) }
}

export interface Breakdowns {
  readonly behaviours: ReadonlyArray<BehaviourRow>
  readonly behaviours_other?: GroupsLeftOut
  readonly captures: ReadonlyArray<CaptureRow>
  readonly captures_other?: GroupsLeftOut
}

/**
 * Per behaviour and per capture, the rows each point flags. `scores` are per labelled row (in
 * `rows.known` order); `points` are the fixed-threshold points; at most `maxGroups` of each.
 */
export const breakdowns = (rows: EvaluationRows, scores: ArrayLike<number>, points: ReadonlyArray<OperatingPoint>, maxGroups: number): Breakdowns => {
  const behaviourCounts = flagsPerGroup(rows.behaviour, rows.behaviours.length, scores, points)
  const ranked = ranking(scores)
  const weights = new Float64Array(rows.y.length)
  const behaviourOrder = rows.behaviours
    .map((_, i) => i)
    .sort((a, b) => {
      const x = rows.behaviours[a]!
      const z = rows.behaviours[b]!
      return (x.label === z.label ? 0 : x.label === "mining" ? -1 : 1) || z.flows - x.flows || (x.value ?? "").localeCompare(z.value ?? "")
    })
  // captures: flags among mining rows and among benign rows, kept apart
  const miningOnly = Int32Array.from(rows.capture, (group, i) => (rows.y[i] === 1 ? group : -1))
  const miningPoints = flagsPerGroup(miningOnly, rows.captures.length, scores, points)
  const benignPoints = flagsPerGroup(Int32Array.from(rows.capture, (group, i) => (rows.y[i] === 0 ? group : -1)), rows.captures.length, scores, points)
  const captureOrder = rows.captures
    .map((_, i) => i)
    .sort((a, b) => rows.captures[b]!.flows - rows.captures[a]!.flows || (rows.captures[a]!.capture ?? "").localeCompare(rows.captures[b]!.capture ?? ""))
  const behavioursOther = leftOut(behaviourOrder, maxGroups, (g) => rows.behaviours[g]!.flows)
  const capturesOther = leftOut(captureOrder, maxGroups, (g) => rows.captures[g]!.flows)
  return {
    behaviours: behaviourOrder.slice(0, maxGroups).map((g) => {
      const group = rows.behaviours[g]!
      return { value: group.value, label: group.label, flows: group.flows, flagged: perPoint(points, behaviourCounts, g), roc_auc: groupAuc(ranked, rows.y, rows.behaviour, g, group.label, weights) }
    }),
    ...(behavioursOther === undefined ? {} : { behaviours_other: behavioursOther }),
    captures: captureOrder.slice(0, maxGroups).map((g) => {
      const group = rows.captures[g]!
      return {
        ...group,
        flagged_mining: perPoint(points, miningPoints, g),
        flagged_benign: perPoint(points, benignPoints, g),
        roc_auc_mining: group.mining === 0 ? null : groupAuc(ranked, rows.y, miningOnly, g, "mining", weights)
      }
    }),
    ...(capturesOther === undefined ? {} : { captures_other: capturesOther })
  }
}
