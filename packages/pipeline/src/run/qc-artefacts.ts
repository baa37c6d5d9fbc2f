/**
 * The QC artefacts reports read besides findings: `qc/flow-summary.json` (core's FlowSummary,
 * the chart data of the stored flows) and `qc/labels.json` (core's LabelReport, what the label
 * merge decided), both made in the QC stage's one pass over the stored batches.
 *
 * Holds: `QcArtefacts` (fed stored batches with their label columns: a FlowSummaryBuilder and a
 * LabelTally), `mergedFromStored` (the stored label columns back as `MergedLabels`: decision from
 * label and source, conflicts and pairs from the `conflict: <pair>` entries of label_detail) and
 * `writeQcArtefacts` (both files atomically; labels.json is removed when no batch had labels).
 * Duplicates are counted from the `duplicate of <flow_id>` mark the labels stage puts at the end
 * of label_detail (`duplicateOfDetail`; the rule and the feeding order are `labels/duplicates.ts`'s
 * and `labels.ts`'s): every stored labels part went through that stage's duplicate tracker, so the
 * report says `duplicates_counted: true`, per dataset and per capture (the capture holding the
 * later copy). qc.duplicates, a QC check, reports duplicates as findings on its own.
 * Does not hold: the QC stage's keys and skipping (see `qc.ts`), the summary definitions (core).
 */
import {
  FLOW_SUMMARY_COLUMNS,
  FlowSummaryBuilder,
  LABEL_REPORT_FORMAT,
  LabelReport,
  readStrings,
  type FlowBatch,
  type FlowSummary,
  type Label
} from "@hashhound/core"
import { Effect, Schema } from "effect"
import { Decision, duplicateOfDetail, LabelTally, type MergedLabels } from "../labels/index.js"
import { removeFile, writeFileAtomic, type StorageError } from "../storage/index.js"
import type { DatasetLayout } from "./layout.js"
import { LABEL_COLUMNS } from "./stored-flows.js"

/** The columns the artefacts read: the flow summary's and the label columns. */
export const QC_ARTEFACT_COLUMNS: ReadonlyArray<string> = [...new Set([...FLOW_SUMMARY_COLUMNS, ...LABEL_COLUMNS])]

/** `conflict: <winner id>=<label> vs <id>=<label>` as the label merge writes it into label_detail. */
const CONFLICT = /conflict: ([^\s;()]+=(?:mining|benign) vs [^\s;()]+=(?:mining|benign))/g

const asLabel = (value: string | null | undefined): Label => (value === "mining" || value === "benign" ? value : "unknown")

/** Stored label columns as the merge's answer (what `LabelTally` counts). */
export const mergedFromStored = (
  labels: ReadonlyArray<string | null>,
  sources: ReadonlyArray<string | null> | undefined,
  details: ReadonlyArray<string | null> | undefined
): MergedLabels => {
  const rows = labels.length
  const label = new Array<Label>(rows)
  const source = new Array<string | null>(rows)
  const conflicts = new Uint16Array(rows)
  const decision = new Uint8Array(rows)
  const conflictPairs = new Map<string, number>()
  for (let row = 0; row < rows; row++) {
    label[row] = asLabel(labels[row])
    source[row] = sources?.[row] ?? null
    decision[row] = label[row] !== "unknown" ? Decision.definite : source[row] !== null ? Decision.explicitUnknown : Decision.none
    const detail = details?.[row]
    if (detail === null || detail === undefined || !detail.includes("conflict: ")) continue
    for (const match of detail.matchAll(CONFLICT)) {
      const pair = match[1]!
      conflictPairs.set(pair, (conflictPairs.get(pair) ?? 0) + 1)
      conflicts[row] = Math.min(65_535, conflicts[row]! + 1)
    }
  }
  return { label, source, detail: details ?? new Array<string | null>(rows).fill(null), conflicts, decision, conflictPairs }
}

/** Accumulates the flow summary and the label report of one dataset, batch by batch. */
export class QcArtefacts {
  private readonly flows = new FlowSummaryBuilder()
  private readonly tally = new LabelTally()
  private labelled = false

  constructor(private readonly dataset: string) {}

  /** A stored batch of unit `capture`, with its label columns when labels are stored. */
  add(batch: FlowBatch, capture: string): void {
    this.flows.add(batch)
    const labels = readStrings(batch, "label")
    if (labels === undefined) return
    this.labelled = true
    const details = readStrings(batch, "label_detail")
    const merged = mergedFromStored(labels, readStrings(batch, "label_source"), details)
    const duplicateOf = details?.map(duplicateOfDetail)
    this.tally.add({ dataset: this.dataset, capture, merged, ...(duplicateOf === undefined ? {} : { duplicateOf }) })
  }

  flowSummary(): FlowSummary {
    return this.flows.result()
  }

  /** The label report, or undefined when no batch carried labels. */
  labelReport(): LabelReport | undefined {
    if (!this.labelled) return undefined
    const summary = this.tally.toJSON().datasets[this.dataset]
    if (summary === undefined) return undefined
    return { format: LABEL_REPORT_FORMAT, dataset: this.dataset, duplicates_counted: true, ...summary }
  }
}

/** Write flow-summary.json and labels.json (or remove a stale labels.json), each atomically. */
export const writeQcArtefacts = (layout: DatasetLayout, artefacts: QcArtefacts): Effect.Effect<void, StorageError> =>
  Effect.gen(function* () {
    yield* writeFileAtomic(layout.qcFlowSummary, `${JSON.stringify(artefacts.flowSummary(), null, 1)}\n`)
    const report = artefacts.labelReport()
    if (report === undefined) yield* removeFile(layout.qcLabelReport)
    else yield* writeFileAtomic(layout.qcLabelReport, `${JSON.stringify(Schema.encodeSync(LabelReport)(report), null, 1)}\n`)
  })
