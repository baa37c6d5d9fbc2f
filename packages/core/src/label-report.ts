/**
 * The label report of one dataset (`datasets/<name>/qc/labels.json`): what the label merge
 * decided over the stored flows, as plain JSON that the pipeline writes and reports read.
 *
 * Holds: the `LabelReport` Schema (format `hashhound.label-report/1`) and its per-capture
 * `LabelReportCounts`. Definitions: `labelled` = rows labelled mining or benign; `coverage` =
 * labelled / flows (0 for no flows); `mining_share` = mining / labelled (null when nothing is
 * labelled); `explicit_unknown` = rows a labeler called unknown with nobody definite;
 * `conflicts` = rows where a later labeler disagreed with the deciding one (`conflict_pairs`
 * counts rows per `<winner>=<label> vs <other>=<label>`); `by_source` = rows per deciding
 * labeler (`none` when nobody had an opinion); `duplicates` = rows repeating an earlier flow
 * of the dataset (same flow key, first_seen within the run's `label_skew_s`; the first copy in
 * unit-number then batch order is kept and not counted, a later copy counts in its own
 * capture), counted only where `duplicates_counted` is true. Duplicates are flagged in
 * `label_detail` (`duplicate of <flow_id>`), not removed.
 * Does not hold: computing it (the pipeline's label tally) or rendering it (report plugins).
 */
import { Schema } from "effect"

export const LABEL_REPORT_FORMAT = "hashhound.label-report/1"

const countFields = {
  flows: Schema.Number,
  mining: Schema.Number,
  benign: Schema.Number,
  unknown: Schema.Number,
  explicit_unknown: Schema.Number,
  labelled: Schema.Number,
  coverage: Schema.Number,
  mining_share: Schema.NullOr(Schema.Number),
  conflicts: Schema.Number,
  duplicates: Schema.Number
}

/** Label counts of a dataset or of one capture. */
export const LabelReportCounts = Schema.Struct(countFields)
export type LabelReportCounts = typeof LabelReportCounts.Type

export const LabelReport = Schema.Struct({
  format: Schema.Literal(LABEL_REPORT_FORMAT),
  dataset: Schema.String,
  /** true: the label stage looked for duplicate flows; false: nobody did, so every `duplicates` is 0 without meaning none */
  duplicates_counted: Schema.Boolean,
  ...countFields,
  by_source: Schema.Record({ key: Schema.String, value: Schema.Number }),
  conflict_pairs: Schema.Record({ key: Schema.String, value: Schema.Number }),
  captures: Schema.Record({ key: Schema.String, value: LabelReportCounts })
})
export type LabelReport = typeof LabelReport.Type
