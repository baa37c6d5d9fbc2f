/**
 * `qc.labels`: after label merge, how much is labelled, how balanced, how contested?
 *
 * Holds: the config Schema (`warn` / `fail` threshold maps), the plugin manifest and the plugin
 * list. Phase `labels`. Per batch: conflicts (the merge's `conflict: <id>=<label> vs
 * <id>=<label>` mark in label_detail, see `label-counts.ts`) and label values outside
 * mining | benign | unknown. In `finish`, over the labelled dataset: coverage
 * (share of flows labelled mining or benign) per capture and for the dataset, the minority
 * class share, and counts per capture as info findings.
 * Does not hold: the counting (`label-counts.ts`).
 */
import { checkThreshold, countKey, definePlugin, Finding, metricFinding, shareKey, type AnyPlugin, type DatasetAccess, type FlowBatch, type QcStage, type ThresholdMap } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { addCounts, countBatch, coverageOf, emptyCounts, hasLabels, minorityShareOf, type LabelCounts } from "./label-counts.js"

export const PLUGIN_ID = "qc.labels"

interface Defaults {
  readonly coverage_share_below: number | null
  readonly minority_share_below: number | null
  readonly conflict_rows_above: number | null
  readonly conflict_share_above: number | null
  readonly invalid_label_rows_above: number | null
}

const thresholdFields = (d: Defaults) =>
  Schema.Struct({
    /** share of flows labelled mining or benign, per capture and for the dataset */
    coverage_share_below: shareKey(d.coverage_share_below),
    /** share of the smaller class among labelled flows (dataset) */
    minority_share_below: shareKey(d.minority_share_below),
    /** flows whose labelers disagreed, per batch */
    conflict_rows_above: countKey(d.conflict_rows_above),
    conflict_share_above: shareKey(d.conflict_share_above),
    /** label values other than mining | benign | unknown, per batch */
    invalid_label_rows_above: countKey(d.invalid_label_rows_above)
  })

export const LabelsWarn = thresholdFields({ coverage_share_below: 0.5, minority_share_below: null, conflict_rows_above: 0, conflict_share_above: null, invalid_label_rows_above: null })
export const LabelsFail = thresholdFields({ coverage_share_below: null, minority_share_below: null, conflict_rows_above: null, conflict_share_above: 0.1, invalid_label_rows_above: 0 })

export const LabelsConfig = Schema.Struct({
  warn: Schema.optionalWith(LabelsWarn, { default: () => Schema.decodeSync(LabelsWarn)({}) }),
  fail: Schema.optionalWith(LabelsFail, { default: () => Schema.decodeSync(LabelsFail)({}) })
})
export type LabelsConfig = typeof LabelsConfig.Type

/** Conflicts and invalid labels of one batch. */
export const checkBatch = (warn: ThresholdMap, fail: ThresholdMap, batch: FlowBatch, capture: string, index: number): ReadonlyArray<Finding> => {
  if (batch.numRows === 0 || !hasLabels(batch)) return []
  const counts = emptyCounts()
  for (const c of countBatch(batch, capture).values()) addCounts(counts, c)
  const place = { capture, batch: index }
  const out: Array<Finding> = []
  if (counts.conflicts > 0) {
    const detail = `(${counts.conflicts} of ${counts.flows} flows)`
    const judged = [
      ...checkThreshold(PLUGIN_ID, "conflict_share_above", warn, fail, { metric: "conflict_share", value: counts.conflicts / counts.flows, what: "label conflict share", count: counts.conflicts, detail, ...place }),
      ...checkThreshold(PLUGIN_ID, "conflict_rows_above", warn, fail, { metric: "conflict_rows", value: counts.conflicts, what: "flows with conflicting labels", count: counts.conflicts, detail, ...place })
    ]
    const worst = judged.find((f) => f.severity === "fail") ?? judged[0]
    if (worst !== undefined) out.push(worst)
  }
  out.push(
    ...checkThreshold(PLUGIN_ID, "invalid_label_rows_above", warn, fail, {
      metric: "invalid_label_rows",
      value: counts.other,
      what: "flows with a label other than mining | benign | unknown",
      count: counts.other,
      ...place
    })
  )
  return out
}

const countsDetail = (c: LabelCounts): string =>
  `(${c.mining} mining, ${c.benign} benign, ${c.unknown} unknown${c.other > 0 ? `, ${c.other} other` : ""} of ${c.flows}; ${c.conflicts} conflicts)`

/** Dataset findings from the counts per capture. */
export const datasetFindings = (config: LabelsConfig, byCapture: ReadonlyMap<string, LabelCounts>, labelled: boolean): ReadonlyArray<Finding> => {
  if (!labelled)
    return [new Finding({ source: PLUGIN_ID, code: "no_labels", severity: "info", message: `${PLUGIN_ID}: the dataset has no label column; labels not checked` })]
  const total = emptyCounts()
  const out: Array<Finding> = []
  for (const [capture, counts] of [...byCapture].sort((a, b) => a[0].localeCompare(b[0]))) {
    addCounts(total, counts)
    const coverage = coverageOf(counts)
    const measured = { metric: "coverage_share", value: coverage, what: "label coverage", capture, count: counts.mining + counts.benign, detail: countsDetail(counts) }
    const judged = checkThreshold(PLUGIN_ID, "coverage_share_below", config.warn, config.fail, measured)
    out.push(...(judged.length > 0 ? judged : Number.isNaN(coverage) ? [] : [metricFinding(PLUGIN_ID, measured)]))
  }
  const coverage = coverageOf(total)
  const measured = { metric: "coverage_share", value: coverage, what: "label coverage", count: total.mining + total.benign, detail: countsDetail(total) }
  const judged = checkThreshold(PLUGIN_ID, "coverage_share_below", config.warn, config.fail, measured)
  out.push(...(judged.length > 0 ? judged : Number.isNaN(coverage) ? [] : [metricFinding(PLUGIN_ID, measured)]))
  const minority = minorityShareOf(total)
  if (!Number.isNaN(minority)) {
    const balance = { metric: "minority_share", value: minority, what: `minority class share (${total.mining <= total.benign ? "mining" : "benign"})`, count: Math.min(total.mining, total.benign) }
    const judgedBalance = checkThreshold(PLUGIN_ID, "minority_share_below", config.warn, config.fail, balance)
    out.push(...(judgedBalance.length > 0 ? judgedBalance : [metricFinding(PLUGIN_ID, balance)]))
  }
  for (const [metric, value] of [
    ["mining_flows", total.mining],
    ["benign_flows", total.benign],
    ["unknown_flows", total.unknown],
    ["conflict_flows", total.conflicts]
  ] as const)
    out.push(metricFinding(PLUGIN_ID, { metric, value, what: metric.replace("_", " "), count: value }))
  return out
}

const finish = (config: LabelsConfig) => (access: DatasetAccess) =>
  Effect.suspend(() => {
    const byCapture = new Map<string, LabelCounts>()
    let labelled = false
    return Stream.runForEach(access.read(access.dataset, ["capture", "label", "label_detail"]), (batch) =>
      Effect.sync(() => {
        if (!hasLabels(batch)) return
        labelled = true
        for (const [capture, counts] of countBatch(batch, "(unnamed)")) {
          const into = byCapture.get(capture) ?? emptyCounts()
          addCounts(into, counts)
          byCapture.set(capture, into)
        }
      })
    ).pipe(Effect.map(() => datasetFindings(config, byCapture, labelled)))
  })

export const labelsQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.2.0",
  summary: "label coverage per capture, class balance, labeler conflicts and invalid label values (after label merge)",
  config: LabelsConfig,
  requires: ["label", "label_detail"],
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "labels",
      check: (batch, info) => Effect.sync(() => checkBatch(config.warn, config.fail, batch, info.capture, info.batch)),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [labelsQc]
