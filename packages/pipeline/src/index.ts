/**
 * @hashhound/pipeline: pipeline YAML → PipelineSpec (two-pass decode), validation, the run
 * (manifest, checkpoints, resume), storage (DuckDB → Parquet) and report assembly.
 */
export * from "./spec.js"
