/**
 * The label section of the QC report: coverage, class balance, sources and conflicts, per
 * dataset and per capture, as plain JSON.
 *
 * Holds: `LabelTally` (fed one merged batch at a time, so a runner never holds a dataset's
 * labels) and `labelSummary` (the same over an array of parts). Definitions:
 * `labelled` = rows labelled mining or benign; `coverage` = labelled / flows (0 for no flows);
 * `mining_share` = mining / labelled (null when nothing is labelled); `explicit_unknown` = rows a
 * labeler called unknown with nobody definite; `conflicts` = rows with at least one conflict
 * (`conflict_pairs` counts rows per pair); `duplicates` = rows that repeat an earlier flow;
 * `by_source` counts rows per deciding labeler (`none` when nobody had an opinion).
 * Does not hold: the merge rule (`merge.ts`) or rendering (report plugins).
 */
import { Decision, type MergedLabels } from "./merge.js"

export interface LabelCounts {
  flows: number
  mining: number
  benign: number
  unknown: number
  explicit_unknown: number
  labelled: number
  coverage: number
  mining_share: number | null
  conflicts: number
  duplicates: number
}

export interface DatasetLabelSummary extends LabelCounts {
  by_source: Record<string, number>
  conflict_pairs: Record<string, number>
  captures: Record<string, LabelCounts>
}

export interface LabelSummaryJson {
  datasets: Record<string, DatasetLabelSummary>
  totals: LabelCounts
}

/** One merged batch for the summary. */
export interface LabelSummaryPart {
  readonly dataset: string
  readonly capture: string
  readonly merged: MergedLabels
  /** per row the flow it duplicates (from DuplicateTracker), when duplicates were looked for */
  readonly duplicateOf?: ReadonlyArray<string | null>
}

const zeroCounts = (): LabelCounts => ({
  flows: 0,
  mining: 0,
  benign: 0,
  unknown: 0,
  explicit_unknown: 0,
  labelled: 0,
  coverage: 0,
  mining_share: null,
  conflicts: 0,
  duplicates: 0
})

const addCounts = (into: LabelCounts, from: LabelCounts): void => {
  into.flows += from.flows
  into.mining += from.mining
  into.benign += from.benign
  into.unknown += from.unknown
  into.explicit_unknown += from.explicit_unknown
  into.conflicts += from.conflicts
  into.duplicates += from.duplicates
}

const finishCounts = (counts: LabelCounts): LabelCounts => {
  const labelled = counts.mining + counts.benign
  return {
    ...counts,
    labelled,
    coverage: counts.flows === 0 ? 0 : labelled / counts.flows,
    mining_share: labelled === 0 ? null : counts.mining / labelled
  }
}

const sortedRecord = <V>(record: Record<string, V>): Record<string, V> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

interface DatasetTally {
  readonly captures: Map<string, LabelCounts>
  readonly bySource: Map<string, number>
  readonly pairs: Map<string, number>
}

/** Accumulates merged batches into the label summary. */
export class LabelTally {
  private readonly datasets = new Map<string, DatasetTally>()

  add(part: LabelSummaryPart): this {
    let dataset = this.datasets.get(part.dataset)
    if (dataset === undefined) {
      dataset = { captures: new Map(), bySource: new Map(), pairs: new Map() }
      this.datasets.set(part.dataset, dataset)
    }
    let counts = dataset.captures.get(part.capture)
    if (counts === undefined) {
      counts = zeroCounts()
      dataset.captures.set(part.capture, counts)
    }
    const { merged, duplicateOf } = part
    const rows = merged.label.length
    counts.flows += rows
    for (let row = 0; row < rows; row++) {
      const label = merged.label[row]
      if (label === "mining") counts.mining++
      else if (label === "benign") counts.benign++
      else counts.unknown++
      if (merged.decision[row] === Decision.explicitUnknown) counts.explicit_unknown++
      if (merged.conflicts[row]! > 0) counts.conflicts++
      const of = duplicateOf?.[row]
      if (of !== null && of !== undefined) counts.duplicates++
      const source = merged.source[row] ?? "none"
      dataset.bySource.set(source, (dataset.bySource.get(source) ?? 0) + 1)
    }
    for (const [pair, n] of merged.conflictPairs) dataset.pairs.set(pair, (dataset.pairs.get(pair) ?? 0) + n)
    return this
  }

  toJSON(): LabelSummaryJson {
    const datasets: Record<string, DatasetLabelSummary> = {}
    const totals = zeroCounts()
    for (const [name, tally] of [...this.datasets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const whole = zeroCounts()
      const captures: Record<string, LabelCounts> = {}
      for (const [capture, counts] of tally.captures) {
        addCounts(whole, counts)
        captures[capture] = finishCounts(counts)
      }
      addCounts(totals, whole)
      datasets[name] = {
        ...finishCounts(whole),
        by_source: sortedRecord(Object.fromEntries(tally.bySource)),
        conflict_pairs: sortedRecord(Object.fromEntries(tally.pairs)),
        captures: sortedRecord(captures)
      }
    }
    return { datasets, totals: finishCounts(totals) }
  }
}

/** The label summary of some merged batches (see the module header for the definitions). */
export const labelSummary = (parts: ReadonlyArray<LabelSummaryPart>): LabelSummaryJson => {
  const tally = new LabelTally()
  for (const part of parts) tally.add(part)
  return tally.toJSON()
}
