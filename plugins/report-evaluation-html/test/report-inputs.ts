/**
 * Run artefacts for the report's tests, in the shapes the pipeline writes (hashhound.evaluation/1,
 * hashhound.curves/1, hashhound.model-card/1): two models trained on `lab`, tested on `campus`
 * (with behaviours and two captures) and scored in-sample on `lab`. The hostile variant puts
 * markup into every user- or traffic-controlled string: dataset, model, capture, label_raw,
 * feature and config values.
 */
import type { RunArtifacts } from "@hashhound/core"

export const HOSTILE = {
  dataset: `<script>alert(1)</script>`,
  capture: `cap&<b>"quoted"</b>'.pcap`,
  behaviour: `mining:<img src=x onerror=alert(3)>`,
  benign: `benign:" onmouseover="alert(2)`,
  feature: `<svg onload=alert(5)>`,
  param: `'><iframe src=javascript:alert(4)>`
}

const rates = (tp: number, fp: number, tn: number, fn: number) => ({
  tp,
  fp,
  tn,
  fn,
  precision: tp + fp === 0 ? null : tp / (tp + fp),
  recall: tp + fn === 0 ? null : tp / (tp + fn),
  f1: 2 * tp + fp + fn === 0 ? null : (2 * tp) / (2 * tp + fp + fn),
  fpr: fp + tn === 0 ? null : fp / (fp + tn)
})

const thresholds = (shift: number) => [
  { id: "fpr=0.001", rule: "target_fpr", target_fpr: 0.001, threshold: 0.8 + shift, fpr_resolution: 0.002, train: rates(90, 0, 500, 10) },
  { id: "fpr=0.0001", rule: "target_fpr", target_fpr: 0.0001, threshold: 0.9 + shift, fpr_resolution: 0.002, train: rates(80, 0, 500, 20) },
  { id: "best_f1", rule: "best_f1", threshold: 0.5 + shift, fpr_resolution: 0.002, train: rates(98, 3, 497, 2) }
]

const points = (shift: number, tp: ReadonlyArray<number>, fp: ReadonlyArray<number>, mining: number, benign: number) => [
  { id: "train:fpr=0.001", basis: "train", rule: "target_fpr", target_fpr: 0.001, threshold: 0.8 + shift, ...rates(tp[0]!, fp[0]!, benign - fp[0]!, mining - tp[0]!) },
  { id: "train:fpr=0.0001", basis: "train", rule: "target_fpr", target_fpr: 0.0001, threshold: 0.9 + shift, ...rates(tp[1]!, fp[1]!, benign - fp[1]!, mining - tp[1]!) },
  { id: "train:best_f1", basis: "train", rule: "best_f1", threshold: 0.5 + shift, ...rates(tp[2]!, fp[2]!, benign - fp[2]!, mining - tp[2]!) },
  { id: "test:fpr=0.001", basis: "test", rule: "target_fpr", target_fpr: 0.001, threshold: 0.97, ...rates(tp[3]!, 2, benign - 2, mining - tp[3]!) },
  { id: "test:fpr=0.0001", basis: "test", rule: "target_fpr", target_fpr: 0.0001, threshold: 0.99, ...rates(tp[4]!, 0, benign, mining - tp[4]!) }
]

const flagged = (values: ReadonlyArray<number>) => ({ "train:fpr=0.001": values[0]!, "train:fpr=0.0001": values[1]!, "train:best_f1": values[2]! })

const calibration = (skew: number) =>
  Array.from({ length: 10 }, (_, b) => ({ lo: b / 10, hi: (b + 1) / 10, count: 200 - 18 * b, mean_score: b / 10 + 0.05, positive_rate: Math.min(1, Math.max(0, (b / 10 + 0.05) * skew)) }))

const roc = (power: number) => {
  const fpr = Array.from({ length: 60 }, (_, i) => (i === 0 ? 0 : 10 ** (-3 + (3 * i) / 59)))
  return { fpr, tpr: fpr.map((x) => Math.min(1, x ** power)) }
}

const pr = (drop: number) => {
  const recall = Array.from({ length: 40 }, (_, i) => i / 39)
  return { recall, precision: recall.map((r) => Math.max(0.02, 1 - drop * r * r)) }
}

/** metrics.json, curves.json and two cards; `hostile` fills the strings with markup. */
export const evaluationArtifacts = (hostile = false, outputDir = "/nonexistent/hh-eval-report-test"): RunArtifacts => {
  const campus = hostile ? HOSTILE.dataset : "campus"
  const capture = hostile ? HOSTILE.capture : "campus-01.pcap"
  const behaviour = hostile ? HOSTILE.behaviour : "mining:xmrig_tls"
  const benignBehaviour = hostile ? HOSTILE.benign : "benign:web_browsing"
  const feature = hostile ? HOSTILE.feature : "pkt_gap_min_s"
  const models = ["model.gbdt", "model.logistic"]
  const campusModel = (name: string, shift: number) => ({
    roc_auc: name === "model.gbdt" ? 0.96 : 0.88,
    roc_auc_ci: { lo: name === "model.gbdt" ? 0.94 : 0.84, hi: name === "model.gbdt" ? 0.98 : 0.91, resamples: 200, confidence: 0.95 },
    pr_auc: name === "model.gbdt" ? 0.71 : 0.52,
    prevalence: 60 / 3060,
    brier: 0.012 + shift / 10,
    calibration: calibration(name === "model.gbdt" ? 0.9 : 0.6),
    operating_points: points(shift, [48, 40, 55, 30, 12], [9, 2, 40], 60, 3000),
    behaviours: [
      { value: behaviour, label: "mining", flows: 40, flagged: flagged([35, 30, 38]), roc_auc: 0.931 },
      { value: "mining:eth_stratum", label: "mining", flows: 20, flagged: flagged([13, 10, 17]) },
      { value: benignBehaviour, label: "benign", flows: 2600, flagged: flagged([3, 0, 12]) },
      { value: null, label: "benign", flows: 400, flagged: flagged([6, 2, 28]) }
    ],
    captures: [
      { capture, flows: 2500, mining: 40, benign: 2440, unknown: 20, flagged_mining: flagged([35, 30, 38]), flagged_benign: flagged([5, 1, 30]), roc_auc_mining: 0.942 },
      { capture: "campus-02.pcap", flows: 580, mining: 20, benign: 560, unknown: 0, flagged_mining: flagged([13, 10, 17]), flagged_benign: flagged([4, 1, 10]) }
    ]
  })
  const labModel = (shift: number) => ({
    roc_auc: 1,
    roc_auc_ci: { lo: 0.999, hi: 1, resamples: 200, confidence: 0.95 },
    pr_auc: 0.999,
    prevalence: 0.1666,
    brier: 0.001,
    calibration: calibration(1),
    operating_points: points(shift, [90, 80, 98, 90, 80], [0, 0, 3], 100, 500),
    behaviours: [{ value: "mining:xmrig", label: "mining", flows: 100, flagged: flagged([90, 80, 98]) }],
    captures: [{ capture: "lab-seed1-000.pcap", flows: 600, mining: 100, benign: 500, unknown: 0, flagged_mining: flagged([90, 80, 98]), flagged_benign: flagged([0, 0, 3]) }]
  })
  const metrics = {
    format: "hashhound.evaluation/1",
    key: "k",
    target_fpr: [0.001, 0.0001],
    settings: { bootstrap_resamples: 200, bootstrap_seed: 1, confidence: 0.95, calibration_bins: 10, curve_points_max: 500, breakdown_groups_max: 100 },
    models: models.map((name, i) => ({ name, type: name, threshold_basis: name === "model.gbdt" ? "out-of-fold" : "in-sample", thresholds: thresholds(i / 100) })),
    train_datasets: ["lab"],
    test_datasets: [campus],
    skipped_datasets: [],
    datasets: {
      [campus]: {
        role: "test",
        in_sample: false,
        rows: 3120,
        mining: 60,
        benign: 3000,
        unknown_dropped: 20,
        duplicates_dropped: 40,
        roc_auc: { "model.gbdt": 0.96, "model.logistic": 0.88 },
        models: { "model.gbdt": campusModel("model.gbdt", 0), "model.logistic": campusModel("model.logistic", 0.01) }
      },
      lab: {
        role: "train",
        in_sample: true,
        rows: 600,
        mining: 100,
        benign: 500,
        unknown_dropped: 0,
        roc_auc: { "model.gbdt": 1, "model.logistic": 1 },
        models: { "model.gbdt": labModel(0), "model.logistic": labModel(0.01) }
      }
    }
  }
  const curves = {
    format: "hashhound.curves/1",
    datasets: {
      [campus]: { "model.gbdt": { roc: roc(0.15), pr: pr(0.6) }, "model.logistic": { roc: roc(0.3), pr: pr(0.9) } },
      lab: { "model.gbdt": { roc: roc(0.01), pr: pr(0.01) }, "model.logistic": { roc: roc(0.02), pr: pr(0.02) } }
    }
  }
  const card = (name: string, i: number) => ({
    format: "hashhound.model-card/1",
    name,
    type: name,
    version: "0.1.0",
    key: "k",
    params: name === "model.gbdt" ? { trees: 200, max_depth: 5, class_weight: hostile ? HOSTILE.param : "balanced" } : { l2: 1 },
    features: [feature, "server_port_class", "bytes_total"],
    feature_groups: [
      { type: "features.temporal", version: "0.1.0", raw: {}, features: [feature] },
      { type: "features.ports", version: "0.1.0", raw: hostile ? { note: HOSTILE.param } : { mining_port_prior: false }, features: ["server_port_class"] },
      { type: "features.volume", version: "0.1.0", raw: {}, features: ["bytes_total"] }
    ],
    flow_columns: ["dst_port", "fwd_bytes", "bwd_bytes", "iat_min_s"],
    allow_guarded_columns: [],
    training: [{ dataset: "lab", rows: 610, mining: 100, benign: 500, unknown_dropped: 0, duplicates_dropped: 10 }],
    training_rows: { rows: 600, mining: 100, benign: 500 },
    // gbdt's thresholds come from out-of-fold scores; logistic's, for contrast, from in-sample ones
    thresholds:
      name === "model.gbdt"
        ? { basis: "out-of-fold", default: "fpr=0.0001", values: thresholds(i / 100), out_of_fold: { folds: 5, grouping: "conversation", groups: 69, seed: 1 } }
        : { basis: "in-sample", default: "fpr=0.0001", values: thresholds(i / 100), in_sample_reason: "1 conversation group(s) with mining rows" },
    feature_medians: { [feature]: 0.01, server_port_class: 2, bytes_total: 4000 },
    importance: {
      ...(name === "model.gbdt" ? { gain: { [feature]: 0.4, server_port_class: 0.5, bytes_total: 0.1 } } : {}),
      permutation: { metric: "roc_auc_drop", rows: 600, repeats: 3, seed: 1, values: { [feature]: { mean: 0.03, std: 0.004 }, server_port_class: { mean: 0.05, std: 0.01 }, bytes_total: { mean: 0.001, std: 0.001 } } }
    },
    metrics: {
      training: { in_sample: true, roc_auc: 1, pr_auc: 1, brier: 0.001 },
      ...(name === "model.gbdt" ? { out_of_fold: { folds: 5, grouping: "conversation", groups: 69, seed: 1, roc_auc: 0.987, pr_auc: 0.912, brier: 0.01 } } : {}),
      datasets: { [campus]: { in_sample: false, roc_auc: 0.96, roc_auc_ci: { lo: 0.94, hi: 0.98 }, pr_auc: 0.71 }, lab: { in_sample: true, roc_auc: 1, roc_auc_ci: { lo: 0.999, hi: 1 }, pr_auc: 0.999 } }
    }
  })
  return {
    outputDir,
    datasets: [campus, "lab"],
    json: {
      "manifest.json": { name: "report-test" },
      "evaluation/metrics.json": metrics,
      "evaluation/curves.json": curves,
      "models/model.gbdt/card.json": card("model.gbdt", 0),
      "models/model.logistic/card.json": card("model.logistic", 1)
    }
  }
}
