/**
 * Labels: merging labelers' answers by priority, duplicate flows and the label summary for the
 * QC report. Pure functions over arrays, plus `labelBatch`, the Effect edge that runs labelers
 * on one batch.
 */
export * from "./merge.js"
export * from "./duplicates.js"
export * from "./summary.js"
export * from "./label-batch.js"
