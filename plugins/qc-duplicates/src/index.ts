/**
 * `qc.duplicates`: the same flow stored twice, within a batch, across batches, or a whole
 * capture ingested twice.
 *
 * Holds: the config Schema (`warn` / `fail` threshold maps, `columns` making a flow's
 * fingerprint), the plugin manifest and the plugin list. Per batch: copies inside the batch.
 * In `finish`, over the whole stored dataset (read projected to the fingerprint columns and
 * `capture`): copies in other batches than the first copy, capture pairs sharing flows, and
 * captures ingested twice: identical flows, or two unit ids with one fingerprint (the same file
 * content under two names, from `DatasetAccess.units`).
 * Does not hold: fingerprints (`fingerprint.ts`) or the dataset-wide analysis (`duplicate-index.ts`).
 */
import { checkThreshold, COLUMN_BY_NAME, countKey, definePlugin, formatValue, metricFinding, readStrings, shareKey, type AnyPlugin, type DatasetAccess, type DatasetUnit, type Finding, type FlowBatch, type QcStage, type ThresholdMap } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { DuplicateIndex, type DuplicateAnalysis } from "./duplicate-index.js"
import { countDuplicates, DEFAULT_FINGERPRINT_COLUMNS, fingerprints } from "./fingerprint.js"

export const PLUGIN_ID = "qc.duplicates"

interface Defaults {
  readonly duplicate_rows_above: number | null
  readonly duplicate_share_above: number | null
  readonly capture_overlap_share_above: number | null
  readonly identical_captures_above: number | null
}

const thresholdFields = (d: Defaults) =>
  Schema.Struct({
    /** duplicate rows (copies beyond the first) within a batch, or across batches in finish */
    duplicate_rows_above: countKey(d.duplicate_rows_above),
    duplicate_share_above: shareKey(d.duplicate_share_above),
    /** share of the smaller capture's flows that another capture also holds */
    capture_overlap_share_above: shareKey(d.capture_overlap_share_above),
    /** capture pairs with exactly the same flows */
    identical_captures_above: countKey(d.identical_captures_above)
  })

export const DuplicatesWarn = thresholdFields({ duplicate_rows_above: 0, duplicate_share_above: null, capture_overlap_share_above: 0.5, identical_captures_above: null })
export const DuplicatesFail = thresholdFields({ duplicate_rows_above: null, duplicate_share_above: 0.1, capture_overlap_share_above: null, identical_captures_above: 0 })

const CatalogueColumn = Schema.String.pipe(Schema.filter((name) => COLUMN_BY_NAME.has(name) || `"${name}" is not a flow column`))

export const DuplicatesConfig = Schema.Struct({
  warn: Schema.optionalWith(DuplicatesWarn, { default: () => Schema.decodeSync(DuplicatesWarn)({}) }),
  fail: Schema.optionalWith(DuplicatesFail, { default: () => Schema.decodeSync(DuplicatesFail)({}) }),
  /** columns whose values together make a flow the same flow */
  columns: Schema.optionalWith(Schema.Array(CatalogueColumn).pipe(Schema.minItems(1)), { default: () => [...DEFAULT_FINGERPRINT_COLUMNS] })
})
export type DuplicatesConfig = typeof DuplicatesConfig.Type

/** Findings for copies inside one batch. */
export const checkBatch = (config: DuplicatesConfig, batch: FlowBatch, capture: string, index: number): ReadonlyArray<Finding> => {
  if (batch.numRows === 0) return []
  const { rows, duplicates } = countDuplicates(fingerprints(batch, config.columns))
  if (rows === 0) return []
  return judgeCopies(config.warn, config.fail, duplicates, rows, "duplicate rows within the batch", { capture, batch: index })
}

/** One finding for a count of copies: the worse of the share and the row-count judgements. */
const judgeCopies = (
  warn: ThresholdMap,
  fail: ThresholdMap,
  duplicates: number,
  rows: number,
  what: string,
  place: { readonly capture?: string; readonly batch?: number }
): ReadonlyArray<Finding> => {
  const detail = `(${duplicates} of ${rows} flows are copies)`
  const judged = [
    ...checkThreshold(PLUGIN_ID, "duplicate_share_above", warn, fail, { metric: "duplicate_share", value: duplicates / rows, what: `${what}, share`, count: duplicates, detail, ...place }),
    ...checkThreshold(PLUGIN_ID, "duplicate_rows_above", warn, fail, { metric: "duplicate_rows", value: duplicates, what, count: duplicates, detail, ...place })
  ]
  const worst = judged.find((f) => f.severity === "fail") ?? judged[0]
  return worst === undefined ? [] : [worst]
}

/** Pairs of unit ids with one fingerprint (each later id against the first): the same input read twice. */
export const sameContentPairs = (units: ReadonlyArray<DatasetUnit>): ReadonlyArray<{ readonly a: string; readonly b: string }> => {
  const first = new Map<string, string>()
  const pairs: Array<{ a: string; b: string }> = []
  for (const unit of units) {
    const seen = first.get(unit.fingerprint)
    if (seen === undefined) first.set(unit.fingerprint, unit.id)
    else if (seen !== unit.id) pairs.push({ a: seen, b: unit.id })
  }
  return pairs
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`)

/** Dataset findings from the analysis of every stored batch and, when known, the dataset's units. */
export const datasetFindings = (config: DuplicatesConfig, analysis: DuplicateAnalysis, units: ReadonlyArray<DatasetUnit> = []): ReadonlyArray<Finding> => {
  const out: Array<Finding> = [
    metricFinding(PLUGIN_ID, { metric: "duplicate_rows_total", value: analysis.duplicates, what: "duplicate rows in the dataset", count: analysis.duplicates, detail: `(${analysis.acrossBatches} across batches, of ${analysis.rows} flows)` })
  ]
  if (analysis.rows > 0 && analysis.acrossBatches > 0)
    out.push(...judgeCopies(config.warn, config.fail, analysis.acrossBatches, analysis.rows, "duplicate rows across batches", {}))
  const sameContent = sameContentPairs(units)
  const contentKeys = new Set(sameContent.map((pair) => pairKey(pair.a, pair.b)))
  const twice = [
    ...sameContent.map((pair) => `${pair.a} = ${pair.b} (same content hash)`),
    ...analysis.pairs.filter((pair) => pair.identical && !contentKeys.has(pairKey(pair.a, pair.b))).map((pair) => `${pair.a} = ${pair.b}`)
  ]
  if (twice.length > 0) {
    out.push(
      ...checkThreshold(PLUGIN_ID, "identical_captures_above", config.warn, config.fail, {
        metric: "identical_captures",
        value: twice.length,
        what: "captures ingested twice",
        count: twice.length,
        detail: `(${twice.slice(0, 5).join("; ")}${twice.length > 5 ? "; …" : ""})`
      })
    )
  }
  for (const pair of analysis.pairs.filter((p) => !p.identical && !contentKeys.has(pairKey(p.a, p.b))))
    out.push(
      ...checkThreshold(PLUGIN_ID, "capture_overlap_share_above", config.warn, config.fail, {
        metric: "capture_overlap_share",
        value: pair.share,
        what: `share of flows captures ${pair.a} and ${pair.b} have in common`,
        capture: pair.b,
        count: pair.shared,
        detail: `(${pair.shared} flows; ${formatValue(pair.share * 100)} % of the smaller capture)`
      })
    )
  return out
}

/** Add a stored batch, split by its capture column (one group when it has none). */
const addBatch = (index: DuplicateIndex, batch: FlowBatch, columns: ReadonlyArray<string>): void => {
  const prints = fingerprints(batch, columns)
  const captures = readStrings(batch, "capture")
  if (captures === undefined || captures.every((c) => c === captures[0])) {
    index.add(captures?.[0] ?? "(unnamed)", prints)
    return
  }
  const byCapture = new Map<string, Array<number>>()
  captures.forEach((capture, row) => {
    const key = capture ?? "(unnamed)"
    const list = byCapture.get(key) ?? []
    list.push(prints[row]!)
    byCapture.set(key, list)
  })
  for (const [capture, list] of byCapture) index.add(capture, Float64Array.from(list))
}

const finish = (config: DuplicatesConfig) => (access: DatasetAccess) =>
  Effect.suspend(() => {
    const index = new DuplicateIndex()
    return Stream.runForEach(access.read(access.dataset, [...config.columns, "capture"]), (batch) =>
      Effect.sync(() => addBatch(index, batch, config.columns))
    ).pipe(Effect.map(() => datasetFindings(config, index.analyse(), access.units)))
  })

export const duplicatesQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.2.0",
  summary: "duplicate flows within and across batches, and captures ingested twice (same flows or same file content)",
  config: DuplicatesConfig,
  requires: [...DEFAULT_FINGERPRINT_COLUMNS],
  columns: (config) => ({ requires: config.columns }),
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "flows",
      check: (batch, info) => Effect.sync(() => checkBatch(config, batch, info.capture, info.batch)),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [duplicatesQc]
