/**
 * @hashhound/core: plugin kinds and contracts, Manifest, PluginRegistry, typed errors,
 * the FlowBatch (Arrow) schema and the column catalogue, the QC threshold contract and the
 * QC artefacts reports read (flow summary, label report). No file or network I/O.
 */
export * from "./kinds.js"
export * from "./errors.js"
export * from "./columns.js"
export * from "./flow-batch.js"
export * from "./finding.js"
export * from "./stages.js"
export * from "./plugin.js"
export * from "./registry.js"
export * from "./identity.js"
export * from "./list-columns.js"
export * from "./qc-thresholds.js"
export * from "./flow-summary.js"
export * from "./label-report.js"
export * from "./instant.js"
export * from "./csv-line.js"
export * from "./html.js"
export * from "./typed-growth.js"
export * from "./column-buffers.js"
