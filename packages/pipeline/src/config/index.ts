/**
 * Pipeline configuration: YAML → PipelineSpec (two-pass decode), third-party plugin packages,
 * the editor JSON Schema and stable config hashes.
 *
 * Holds: the public API of `config/`. Does not hold: running a pipeline (`run/`).
 */
export { loadPipeline, parsePipeline, type LoadedPipeline, type LoadOptions, type PipelineLocation } from "./load.js"
export { extendRegistry, isPluginPath, loadPluginPackages, type PluginGroup } from "./plugin-packages.js"
export { pipelineJsonSchema } from "./json-schema.js"
export { configHash, stableJson } from "./hash.js"
export { checkRequirements, type RequirementInput } from "./requirements.js"
export { decodeEntries, decodeEntry, entrySites, type DecodedEntries, type EntrySite } from "./entries.js"
export {
  DATASET_NAME_PATTERN,
  DEFAULT_RUN_OPTIONS,
  DatasetSchema,
  EntryInput,
  EvaluationSchema,
  PipelineFileSchema,
  RunOptionsSchema,
  decodeShape,
  type PipelineFile,
  type RunOptionsInput,
  type ShapeResult
} from "./shape.js"
export { readYaml, type YamlPosition, type YamlSource } from "./yaml-document.js"
