/**
 * Out-of-fold training scores: how training rows are grouped (capture, conversation, flow), how
 * groups are dealt into stratified folds (every group whole in one fold, both classes on every
 * training side, seeded, fewer folds when a class has fewer groups, none when impossible), that
 * no row is ever scored by a model that saw it or a duplicate of it in its group (a model that
 * memorises its training rows), and that `summarizeFit` fixes thresholds on those scores.
 */
import { it } from "@effect/vitest"
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { foldGroups, outOfFoldPlan, outOfFoldScores, stratifiedGroupFolds, summarizeFit, trainingThresholds } from "../../src/evaluation/index.js"

/** Scores a row 1 or 0 when it saw the same feature values in training (its label), else 0.5. */
const memorising: ModelStage = {
  params: {},
  fit: (x, y) =>
    Effect.sync(() => {
      const seen = new Map<string, number>()
      for (let row = 0; row < x.rows; row++) seen.set(x.columns.map((c) => c[row]).join(","), y[row]!)
      return seen
    }),
  predictProba: (fitted, x) =>
    Effect.sync(() => {
      const seen = fitted as Map<string, number>
      return Float64Array.from({ length: x.rows }, (_, row) => seen.get(x.columns.map((c) => c[row]).join(",")) ?? 0.5)
    }),
  save: () => Effect.fail(new PluginError({ pluginId: "model.memory", stage: "writing", reason: "not needed" })),
  load: () => Effect.succeed(new Map())
}

/**
 * `sessions` sessions of `copies` identical records each (a long flow cut every minute), one
 * session per source address to a mining or benign server, in capture `capture`.
 */
const sessions = (count: number, copies: number) => {
  const y: Array<number> = []
  const values: Array<number> = []
  const src: Array<string> = []
  const dst: Array<string> = []
  for (let s = 0; s < count; s++) {
    const mining = s % 4 === 0
    for (let c = 0; c < copies; c++) {
      y.push(mining ? 1 : 0)
      values.push(s)
      // the two directions of one conversation, as flow exports sometimes record them
      const a = `10.0.0.${s}`
      const b = mining ? "203.0.113.7" : "198.51.100.1"
      src.push(c % 2 === 0 ? a : b)
      dst.push(c % 2 === 0 ? b : a)
    }
  }
  const x: FeatureMatrix = { names: ["session"], rows: y.length, columns: [Float64Array.from(values)] }
  return { x, y: Uint8Array.from(y), src, dst, captures: y.map(() => "lab/one.pcap") }
}

describe("foldGroups", () => {
  it("groups by capture when enough captures hold each class, else by conversation, else by flow", () => {
    const y = Uint8Array.from([1, 0, 1, 0, 1, 0])
    const byCapture = foldGroups(y, ["a", "a", "b", "b", "c", "c"], ["1", "2", "3", "4", "5", "6"], ["9", "9", "9", "9", "9", "9"], 3)
    expect(byCapture.grouping).toBe("capture")
    expect(Array.from(byCapture.group)).toEqual([0, 0, 1, 1, 2, 2])
    const conversations = foldGroups(y, ["a", "a", "b", "b", "c", "c"], ["1", "9", "1", "2", "1", "1"], ["9", "1", "9", "9", "9", "9"], 5)
    expect(conversations.grouping).toBe("conversation")
    // rows 0 and 1 are one conversation seen from both sides; row 2 is the same pair in another capture
    expect(Array.from(conversations.group)).toEqual([0, 0, 1, 2, 3, 3])
    const flows = foldGroups(y, ["a", "a", "b", "b", "c", "c"], ["1", null, "1", "2", "1", "1"], ["9", "1", "9", "9", "9", "9"], 5)
    expect(flows).toMatchObject({ grouping: "flow", groups: 6 })
  })
})

describe("stratifiedGroupFolds", () => {
  it("keeps each group in one fold, spreads both classes over every fold, and is seeded", () => {
    const data = sessions(40, 5)
    const groups = foldGroups(data.y, data.captures, data.src, data.dst, 5)
    expect(groups).toMatchObject({ grouping: "conversation", groups: 40 })
    const folds = stratifiedGroupFolds(data.y, groups, 5, 1)
    expect(folds.folds).toBe(5)
    const foldOfGroup = new Map<number, number>()
    const mining = new Array<number>(5).fill(0)
    const benign = new Array<number>(5).fill(0)
    data.y.forEach((label, row) => {
      const g = groups.group[row]!
      if (foldOfGroup.has(g)) expect(folds.fold[row]).toBe(foldOfGroup.get(g))
      foldOfGroup.set(g, folds.fold[row]!)
      ;(label === 1 ? mining : benign)[folds.fold[row]!]! += 1
    })
    // 10 mining sessions of 5 rows over 5 folds: 2 sessions each; 30 benign: 6 each
    expect(mining).toEqual([10, 10, 10, 10, 10])
    expect(benign).toEqual([30, 30, 30, 30, 30])
    expect(stratifiedGroupFolds(data.y, groups, 5, 1)).toEqual(folds)
  })

  it("lowers the number of folds to the groups of the scarcer class, and gives none below 2", () => {
    const data = sessions(12, 3)
    const groups = foldGroups(data.y, data.captures, data.src, data.dst, 5)
    // 3 mining sessions: 3 folds
    expect(stratifiedGroupFolds(data.y, groups, 5, 1).folds).toBe(3)
    const one = sessions(4, 3)
    const none = stratifiedGroupFolds(one.y, foldGroups(one.y, one.captures, one.src, one.dst, 5), 5, 1)
    expect(none.folds).toBe(0)
    expect(none.reason).toContain("1 conversation group(s) with mining rows")
  })
})

describe("outOfFoldScores", () => {
  it.effect("never scores a row with a model that saw it or a copy of it from its conversation", () =>
    Effect.gen(function* () {
      const data = sessions(40, 5)
      const plan = outOfFoldPlan(data.y, data.captures, data.src, data.dst)
      expect(plan).toMatchObject({ folds: 5, grouping: "conversation" })
      const scores = yield* outOfFoldScores(memorising, data.x, data.y, plan)
      expect(new Set(scores)).toEqual(new Set([0.5]))
      // folds of single flows put copies of a session on both sides: the model recognises them
      const leaky = { folds: 5, fold: Uint8Array.from(data.y, (_, row) => row % 5) }
      const leaked = yield* outOfFoldScores(memorising, data.x, data.y, leaky)
      expect(leaked.every((score, row) => score === data.y[row])).toBe(true)
    }))

  it.effect("summarizeFit fixes the thresholds on the out-of-fold scores and reports both score sets", () =>
    Effect.gen(function* () {
      const data = sessions(40, 5)
      const plan = outOfFoldPlan(data.y, data.captures, data.src, data.dst)
      const scores = yield* outOfFoldScores(memorising, data.x, data.y, plan)
      const fitted = yield* memorising.fit(data.x, data.y)
      const json = { folds: plan.folds, grouping: plan.grouping, groups: plan.groups, seed: 1 }
      const summary = yield* summarizeFit(memorising, fitted, data.x, data.y, [0.01], { scores, plan: json })
      expect(summary.basis).toBe("out-of-fold")
      expect(summary.thresholds).toEqual(trainingThresholds(scores, data.y, [0.01]))
      // in-sample the memorising model is perfect; out of fold it knows nothing
      expect(summary.training.roc_auc).toBe(1)
      expect(summary.outOfFold).toMatchObject({ ...json, roc_auc: 0.5 })
      const inSample = yield* summarizeFit(memorising, fitted, data.x, data.y, [0.01])
      expect(inSample.basis).toBe("in-sample")
      expect(inSample.outOfFold).toBeUndefined()
      expect(inSample.thresholds[0]!.train!.recall).toBe(1)
    }))
})
