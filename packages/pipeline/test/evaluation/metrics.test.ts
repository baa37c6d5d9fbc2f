/**
 * The evaluation's pure computations on hand-checked data: thresholds fixed on training scores
 * (target FPR, the "nothing above the top training score" case, best F1), operating points on
 * other data (fixed and oracle), behaviour and capture breakdowns with unknown rows excluded and
 * the largest groups kept, curve downsampling, and `evaluateModel` as a whole (the bootstrap
 * interval around the AUC, PR-AUC, calibration, JSON-safe values).
 */
import { describe, expect, it } from "vitest"
import {
  breakdowns,
  DEFAULT_SETTINGS,
  downsample,
  evaluateModel,
  evaluationRows,
  nextUp,
  operatingPoints,
  trainingThresholds
} from "../../src/evaluation/index.js"

describe("trainingThresholds", () => {
  // 10 benign scores 0.0..0.9, 5 mining scores 0.55..0.95
  const benign = Array.from({ length: 10 }, (_, i) => i / 10)
  const mining = [0.55, 0.65, 0.75, 0.85, 0.95]
  const scores = [...benign, ...mining]
  const y = [...benign.map(() => 0), ...mining.map(() => 1)]

  it("fixes, per target FPR, the lowest threshold whose training FPR stays within it, and the best-F1 threshold", () => {
    const [tenPercent, zero, bestF1] = trainingThresholds(scores, y, [0.1, 0.0001])
    // FPR 0.1 allows one benign (0.9): the lowest such threshold is 0.85 (flags 0.85, 0.9, 0.95)
    expect(tenPercent).toMatchObject({ id: "fpr=0.1", rule: "target_fpr", target_fpr: 0.1, threshold: 0.85, fpr_resolution: 0.1 })
    expect(tenPercent!.train).toMatchObject({ tp: 2, fp: 1, tn: 9, fn: 3, fpr: 0.1, recall: 0.4 })
    // no benign may be flagged: the top score 0.95 is mining, so flag from 0.95 only
    expect(zero).toMatchObject({ threshold: 0.95 })
    expect(zero!.train).toMatchObject({ tp: 1, fp: 0 })
    // best F1: from 0.55 tp 5, fp 4 → F1 10/14; from 0.65 tp 4, fp 3 → 8/12; from 0.75 → 6/10: the maximum is at 0.55
    expect(bestF1).toMatchObject({ id: "best_f1", rule: "best_f1", threshold: 0.55 })
    expect(bestF1!.train!.f1).toBeCloseTo(10 / 14, 12)
  })

  it("sits just above the top training score when even that costs more than the budget", () => {
    const [point] = trainingThresholds([0.9, 0.2, 0.1], [0, 1, 0], [0.01])
    expect(point!.threshold).toBe(nextUp(0.9))
    expect(point!.threshold).toBeGreaterThan(0.9)
    expect(point!.train).toMatchObject({ tp: 0, fp: 0 })
  })

  it("is null, not a made-up number, when the training data lacks a class", () => {
    const thresholds = trainingThresholds([0.1, 0.2], [0, 0], [0.01])
    expect(thresholds.map((t) => t.threshold)).toEqual([null, null])
    expect(JSON.parse(JSON.stringify(thresholds))).toEqual(thresholds)
  })
})

describe("operatingPoints", () => {
  it("applies the fixed thresholds as they are and adds the oracle threshold per target FPR", () => {
    const fixed = trainingThresholds([0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1], [0.5])
    // test data where the model scores everything higher: the fixed threshold flags benign rows
    const points = operatingPoints([0.5, 0.6, 0.7, 0.95, 0.99], [0, 0, 0, 1, 1], fixed, [0.5])
    expect(points.map((p) => p.id)).toEqual(["train:fpr=0.5", "train:best_f1", "test:fpr=0.5"])
    const byId = Object.fromEntries(points.map((p) => [p.id, p]))
    expect(byId["train:fpr=0.5"]).toMatchObject({ basis: "train", threshold: 0.3, tp: 2, fp: 3, fpr: 1 })
    expect(byId["test:fpr=0.5"]).toMatchObject({ basis: "test", threshold: 0.7, tp: 2, fp: 1 })
  })
})

describe("breakdowns", () => {
  const labels = ["mining", "mining", "benign", "benign", "benign", "unknown", null, "mining"]
  const raw = ["mining:xmrig", "mining:xmrig", "benign:web", "benign:web", "benign:dns", "mining:xmrig", null, "mining:eth"]
  const captures = ["a.pcap", "a.pcap", "a.pcap", "b.pcap", "b.pcap", "b.pcap", "b.pcap", "c.pcap"]
  const rows = evaluationRows(labels, raw, captures)

  it("keeps labelled rows only, counting the rest", () => {
    expect(rows.counts).toEqual({ rows: 8, mining: 3, benign: 3, unknown_dropped: 2, duplicates_dropped: 0 })
    expect([...rows.known]).toEqual([0, 1, 2, 3, 4, 7])
    expect([...rows.y]).toEqual([1, 1, 0, 0, 0, 1])
  })

  it("leaves rows flagged as duplicates out of every count but rows and duplicates_dropped", () => {
    // row 1 (mining), row 3 (benign) and row 6 (null label) repeat earlier flows
    const flagged = evaluationRows(labels, raw, captures, Uint8Array.from([0, 1, 0, 1, 0, 0, 1, 0]))
    expect(flagged.counts).toEqual({ rows: 8, mining: 2, benign: 2, unknown_dropped: 1, duplicates_dropped: 3 })
    expect([...flagged.known]).toEqual([0, 2, 4, 7])
    expect([...flagged.y]).toEqual([1, 0, 0, 1])
    expect(flagged.captures.map((c) => [c.capture, c.flows])).toEqual([
      ["a.pcap", 2],
      ["b.pcap", 2],
      ["c.pcap", 1]
    ])
  })

  it("counts flags per behaviour and per capture at each fixed point, largest groups first", () => {
    const scores = [0.9, 0.2, 0.8, 0.1, 0.1, 0.7] // per labelled row
    const points = operatingPoints(scores, rows.y, trainingThresholds([0.1, 0.9], [0, 1], [0.5]), [0.5]).filter((p) => p.basis === "train")
    const result = breakdowns(rows, scores, points, 10)
    const first = points[0]!.id
    expect(result.behaviours.map((b) => [b.value, b.label, b.flows, b.flagged[first]])).toEqual([
      ["mining:xmrig", "mining", 2, 1],
      ["mining:eth", "mining", 1, 0],
      ["benign:web", "benign", 2, 0],
      ["benign:dns", "benign", 1, 0]
    ])
    expect(result.captures.map((c) => [c.capture, c.flows, c.mining, c.benign, c.unknown])).toEqual([
      ["b.pcap", 4, 0, 2, 2],
      ["a.pcap", 3, 2, 1, 0],
      ["c.pcap", 1, 1, 0, 0]
    ])
    // each group against the other class: xmrig (0.9, 0.2) vs benign (0.8, 0.1, 0.1) wins 5 of 6 pairs
    expect(result.behaviours.map((b) => b.roc_auc)).toEqual([5 / 6, 2 / 3, 2 / 3, 1])
    expect(result.captures.map((c) => c.roc_auc_mining)).toEqual([null, 5 / 6, 2 / 3])
    const cut = breakdowns(rows, scores, points, 1)
    expect(cut.behaviours).toHaveLength(1)
    expect(cut.behaviours_other).toEqual({ groups: 3, flows: 4 })
    expect(cut.captures_other).toEqual({ groups: 2, flows: 4 })
  })

  it("has no behaviours when the dataset has no label_raw", () => {
    const plain = evaluationRows(labels, undefined, captures)
    expect(breakdowns(plain, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [], 10).behaviours).toEqual([])
  })
})

describe("downsample", () => {
  it("keeps at most max points, both ends, and drops non-finite ones", () => {
    const n = 10_000
    const xs = Float64Array.from({ length: n }, (_, i) => i / (n - 1))
    const ys = Float64Array.from(xs, (x) => Math.sqrt(x))
    const out = downsample(xs, ys, 500)
    expect(out.x.length).toBeLessThanOrEqual(500)
    expect(out.x.length).toBeGreaterThan(400)
    expect([out.x[0], out.y[0]]).toEqual([0, 0])
    expect([out.x.at(-1), out.y.at(-1)]).toEqual([1, 1])
    expect(downsample([0, Number.NaN, 1], [0, 1, 1], 500)).toEqual({ x: [0, 1], y: [0, 1] })
  })
})

describe("evaluateModel", () => {
  it("gives ROC-AUC inside its bootstrap interval, PR-AUC, calibration and curves, all JSON-safe", () => {
    const n = 2000
    const labels = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? "mining" : i % 97 === 0 ? "unknown" : "benign"))
    // a noisy but informative score
    const scores = Float64Array.from(labels, (label, i) => Math.min(1, Math.max(0, (label === "mining" ? 0.65 : 0.35) + (((i * 7919) % 1000) / 1000 - 0.5) * 0.8)))
    const rows = evaluationRows(labels, labels.map((l) => `${l}:x`), labels.map(() => "one.pcap"))
    const thresholds = trainingThresholds(Float64Array.from(rows.known, (r) => scores[r]!), rows.y, [0.01])
    const { metrics, curves } = evaluateModel(rows, scores, thresholds, [0.01], DEFAULT_SETTINGS)
    expect(metrics.roc_auc).toBeGreaterThan(0.8)
    expect(metrics.roc_auc_ci!.lo).toBeLessThanOrEqual(metrics.roc_auc!)
    expect(metrics.roc_auc_ci!.hi).toBeGreaterThanOrEqual(metrics.roc_auc!)
    expect(metrics.roc_auc_ci!.resamples).toBe(200)
    expect(metrics.pr_auc).toBeGreaterThan(metrics.prevalence!)
    expect(metrics.calibration.reduce((sum, bin) => sum + bin.count, 0)).toBe(rows.known.length)
    expect(metrics.operating_points.map((p) => p.id)).toEqual(["train:fpr=0.01", "train:best_f1", "test:fpr=0.01"])
    expect(metrics.behaviours.map((b) => b.value)).toEqual(["mining:x", "benign:x"])
    expect(curves.roc.fpr.length).toBeLessThanOrEqual(500)
    expect(curves.roc.fpr[0]).toBe(0)
    expect(curves.roc.tpr.at(-1)).toBe(1)
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics)
    // the same seed gives the same interval
    expect(evaluateModel(rows, scores, thresholds, [0.01], DEFAULT_SETTINGS).metrics.roc_auc_ci).toEqual(metrics.roc_auc_ci)
  })

  it("reports nulls when a class is absent", () => {
    const rows = evaluationRows(["benign", "benign"], undefined, undefined)
    const { metrics } = evaluateModel(rows, [0.1, 0.2], trainingThresholds([0.1, 0.9], [0, 1], [0.01]), [0.01], DEFAULT_SETTINGS)
    expect(metrics.roc_auc).toBeNull()
    expect(metrics.roc_auc_ci).toBeNull()
    expect(metrics.pr_auc).toBeNull()
  })
})
