/**
 * The run: `runPipeline`, its summary and errors, the run layout, the manifest, stage keys,
 * checkpoint files and a rank ROC-AUC.
 *
 * Holds: re-exports only.
 * Does not hold: storage (see `storage/`) or config decoding (see `config/`).
 */
export * from "./runner.js"
export * from "./errors.js"
export * from "./layout.js"
export { loadManifest, emptyManifest, MANIFEST_FORMAT, type ManifestData, type UnitRecord, type DatasetRecord } from "./manifest.js"
export * from "./keys.js"
export type { LabelsOutcome } from "./labels.js"
export { rocAuc } from "./auc.js"
export { encodeCheckpoint, decodeCheckpoint, type FlowsOutcome } from "./flows.js"
export type { QcOutcome, SeverityCounts } from "./qc.js"
export type { FeaturesOutcome } from "./features.js"
export type { ModelsOutcome } from "./models.js"
