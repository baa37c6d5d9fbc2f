/**
 * @hashhound/pipeline: pipeline YAML → PipelineSpec (two-pass decode), validation, the run
 * (manifest, checkpoints, resume), storage (DuckDB → Parquet), report assembly, and the
 * evaluation (metrics, curves, model cards, thresholds, alerts).
 */
export * from "./spec.js"
export * from "./config/index.js"
export * from "./labels/index.js"
export * from "./run/index.js"
export * from "./evaluation/index.js"
export * from "./storage/index.js"
