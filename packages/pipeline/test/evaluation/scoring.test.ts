/**
 * What `hashhound score` builds on: threshold choice from a card, the training sources' metering
 * settings, the scoring PipelineSpec, alerts (order, records, JSONL and CSV quoting), per-flow
 * attribution with a model whose answer is known, permutation importance on a bounded sample,
 * training medians, and `summarizeFit`.
 */
import { it } from "@effect/vitest"
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import { describe, expect } from "vitest"
import {
  alertRecord,
  alertRows,
  attributeScores,
  boundedPermutationImportance,
  chooseThreshold,
  featureMedians,
  meterSettings,
  ModelCardJson,
  sampleRows,
  scoringSpec,
  summarizeFit,
  toCsv,
  toJsonl,
  topFeatureOrder,
  type FlowKeys
} from "../../src/evaluation/index.js"

const card = Schema.decodeUnknownSync(ModelCardJson)({
  name: "model.gbdt",
  type: "model.gbdt",
  params: { trees: 10 },
  features: ["a", "b", "c"],
  feature_groups: [{ type: "features.volume", raw: {} }, { type: "features.ports", raw: { mining_port_prior: true } }],
  allow_guarded_columns: ["src_port"],
  training_sources: [
    { dataset: "lab", type: "source.synthetic", raw: { scenario: "lab", active_timeout_s: 60, idle_timeout_s: 30 } },
    { dataset: "lab2", type: "source.pcap", raw: { paths: ["x"], active_timeout_s: 5 } }
  ],
  thresholds: {
    basis: "in-sample",
    default: "fpr=0.0001",
    values: [
      { id: "fpr=0.001", rule: "target_fpr", target_fpr: 0.001, threshold: 0.7 },
      { id: "fpr=0.0001", rule: "target_fpr", target_fpr: 0.0001, threshold: 0.9 },
      { id: "best_f1", rule: "best_f1", threshold: 0.5 }
    ]
  },
  feature_medians: { a: 0, b: 1, c: null },
  importance: { permutation: { values: { a: { mean: 0.1, std: 0 }, b: { mean: 0.3, std: 0 }, c: { mean: 0.2, std: 0 } } } }
})

/** score = sigmoid(2a + b) (c is ignored), a stand-in for a trained model. */
const linear: ModelStage = {
  params: {},
  fit: () => Effect.succeed(null),
  predictProba: (_fitted, x) =>
    Effect.sync(() => Float64Array.from({ length: x.rows }, (_, row) => 1 / (1 + Math.exp(-(2 * x.columns[0]![row]! + x.columns[1]![row]!))))),
  save: () => Effect.fail(new PluginError({ pluginId: "model.linear", stage: "writing", reason: "not needed" })),
  load: () => Effect.succeed(null)
}

const matrix = (columns: ReadonlyArray<ReadonlyArray<number>>): FeatureMatrix => ({ names: ["a", "b", "c"], rows: columns[0]!.length, columns: columns.map((c) => Float64Array.from(c)) })

describe("chooseThreshold", () => {
  it("defaults to the threshold at the smallest target FPR; takes --target-fpr and --threshold", () => {
    expect(chooseThreshold(card, {})).toEqual(Either.right({ value: 0.9, rule: "fpr=0.0001" }))
    expect(chooseThreshold(card, { targetFpr: 0.001 })).toEqual(Either.right({ value: 0.7, rule: "fpr=0.001" }))
    expect(chooseThreshold(card, { threshold: 0.25 })).toEqual(Either.right({ value: 0.25, rule: "--threshold" }))
  })

  it("explains what is wrong instead of guessing", () => {
    expect(chooseThreshold(card, { targetFpr: 0.05 })).toEqual(Either.left("the model card has no threshold at target FPR 0.05 (it has: 0.001, 0.0001)"))
    expect(Either.isLeft(chooseThreshold(card, { threshold: 0.5, targetFpr: 0.001 }))).toBe(true)
  })
})

describe("scoringSpec and meterSettings", () => {
  it("meters new inputs like the first training source and computes the card's feature groups", () => {
    expect(meterSettings(card)).toEqual({ idle_timeout_s: 30, active_timeout_s: 60 })
    // a model trained on link-layer byte counts scores new captures counted the same way
    const linkCard = { ...card, training_sources: [{ dataset: "lab", type: "source.pcap", raw: { paths: ["x"], byte_layer: "link", max_flows: 9 } }] }
    expect(meterSettings(linkCard)).toEqual({ byte_layer: "link" })
    const spec = scoringSpec(
      card,
      [
        { type: "source.pcap", raw: { paths: ["/x/a.pcap"] } },
        { type: "source.zeek-conn", raw: { paths: ["/x/conn.log"] } },
        { type: "source.pcap", raw: { paths: ["/y/b.pcap"] } }
      ],
      "/tmp/out",
      "/x"
    )
    expect(spec.datasets.map((d) => [d.name, d.source.type, d.labels.length])).toEqual([
      ["pcap", "source.pcap", 0],
      ["zeek-conn", "source.zeek-conn", 0],
      ["pcap-2", "source.pcap", 0]
    ])
    expect(spec.features).toEqual([
      { type: "features.volume", raw: {}, path: "card.feature_groups.0" },
      { type: "features.ports", raw: { mining_port_prior: true }, path: "card.feature_groups.1" }
    ])
    expect(spec.qc).toEqual([])
    expect(spec.models).toEqual([])
    expect(spec.evaluation).toBeUndefined()
    expect(spec.options.allow_guarded_columns).toEqual(["src_port"])
  })
})

const keys = (n: number, capture: string): FlowKeys => ({
  flowId: Array.from({ length: n }, (_, i) => `d/${capture}/0/${i}`),
  capture: Array.from({ length: n }, () => capture),
  srcIp: Array.from({ length: n }, (_, i) => `10.0.0.${i}`),
  dstIp: Array.from({ length: n }, () => "203.0.113.7"),
  srcPort: Float64Array.from({ length: n }, (_, i) => 40000 + i),
  dstPort: Float64Array.from({ length: n }, () => 3333),
  protocol: Float64Array.from({ length: n }, () => 6),
  firstSeenUs: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000_000 + i),
  lastSeenUs: Float64Array.from({ length: n }, (_, i) => 1_700_000_001_000_000 + i)
})

describe("alerts", () => {
  it("flags rows at or above the threshold, highest first, never NaN", () => {
    expect(alertRows(Float64Array.from([0.5, 0.9, Number.NaN, 0.7, 0.9]), 0.7)).toEqual([1, 4, 3])
  })

  it("writes JSONL records and CSV with quoting and flattened top features", () => {
    const top = [{ feature: "b", value: 3, median: 1, delta: 0.2 }]
    const alert = alertRecord(keys(1, `odd,"name".pcap`), 0, 0.95, 0.9, "model.gbdt", top)
    expect(alert).toMatchObject({ src_ip: "10.0.0.0", src_port: 40000, dst_port: 3333, protocol: 6, first_seen: "2023-11-14T22:13:20.000Z", score: 0.95 })
    expect(JSON.parse(toJsonl([alert]).trim())).toEqual(JSON.parse(JSON.stringify(alert)))
    const [header, line] = toCsv([alert], 2).trim().split("\n")
    expect(header).toBe(
      "flow_id,capture,src_ip,src_port,dst_ip,dst_port,protocol,first_seen_us,last_seen_us,first_seen,last_seen,score,threshold,model,top1_feature,top1_value,top1_delta,top2_feature,top2_value,top2_delta"
    )
    expect(line).toContain(`"odd,""name"".pcap"`)
    expect(line!.endsWith(",b,3,0.2,,,")).toBe(true)
  })
})

describe("attribution and importance", () => {
  it.effect("names the features whose training median lowers a flow's score most", () =>
    Effect.gen(function* () {
      // columns a, b, c. Row 0: a=3 (median 0) drives the score, b=1 is at its median. Row 1: b=5 (median 1), a=0 at its median.
      const x = matrix([
        [3, 0],
        [1, 5],
        [9, 9]
      ])
      const scores = yield* linear.predictProba(null, x)
      const order = topFeatureOrder(card.features, card.importance.permutation?.values, card.importance.gain)
      expect(order).toEqual(["b", "c", "a"])
      const top = yield* attributeScores(linear, null, x, scores, card.feature_medians, order, { candidates: 10, top: 3 })
      expect(top[0]!.map((c) => c.feature)).toEqual(["a"])
      expect(top[0]![0]!.delta).toBeCloseTo(scores[0]! - 1 / (1 + Math.exp(-1)), 12)
      expect(top[1]!.map((c) => c.feature)).toEqual(["b"])
      expect(top[1]![0]).toMatchObject({ feature: "b", value: 5, median: 1 })
      // c has no median: never tried
      expect(top.flat().some((c) => c.feature === "c")).toBe(false)
    }))

  it.effect("measures permutation importance on a bounded, seeded sample; medians ignore NaN", () =>
    Effect.gen(function* () {
      const n = 3000
      const a = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5)
      const x = matrix([a, a.map(() => 0), a.map((_, i) => (i % 2 === 0 ? Number.NaN : i))])
      const y = Uint8Array.from(a, (v) => (v > 0 ? 1 : 0))
      const sample = sampleRows(x, y, 500, 1)
      expect(sample.x.rows).toBe(500)
      expect(sampleRows(x, y, 500, 1).y).toEqual(sample.y)
      const importance = yield* boundedPermutationImportance(linear, null, x, y, { rows: 500, repeats: 2, seed: 1 })
      expect(importance.rows).toBe(500)
      expect(importance.values["a"]!.mean).toBeGreaterThan(0.3)
      expect(importance.values["b"]!.mean).toBe(0)
      const medians = featureMedians(matrix([[1, 5, Number.NaN, 3], [Number.NaN, Number.NaN, Number.NaN, Number.NaN], [2, 4, 6, 8]]))
      expect(medians).toEqual({ a: 3, b: null, c: 5 })
    }))

  it.effect("summarizeFit records in-sample thresholds, importance, medians and training metrics", () =>
    Effect.gen(function* () {
      const a = [-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2]
      const x = matrix([a, a.map(() => 0), a.map(() => 1)])
      const y = Uint8Array.from(a, (v) => (v > 0 ? 1 : 0))
      const summary = yield* summarizeFit(linear, null, x, y, [0.25])
      expect(summary.training).toEqual({ in_sample: true, roc_auc: 1, pr_auc: 1, brier: expect.any(Number) as number })
      expect(summary.thresholds.map((t) => t.id)).toEqual(["fpr=0.25", "best_f1"])
      expect(summary.thresholds[1]!.train).toMatchObject({ tp: 4, fp: 0, fn: 0 })
      expect(summary.medians).toEqual({ a: 0, b: 0, c: 1 })
      expect(summary.importance.gain).toBeUndefined()
      expect(Object.keys(summary.importance.permutation.values)).toEqual(["a", "b", "c"])
    }))
})
