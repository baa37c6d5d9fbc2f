/**
 * JSON Schema of pipeline YAML, for editors (`hashhound schema`).
 *
 * Holds: `pipelineJsonSchema(registry)`: the outer shape (draft-07) with, for every slot, an
 * `anyOf` over the registered plugins of that slot's kind: each a closed object with
 * `type: { const: id }` plus the plugin's config (from `JSONSchema` of its config Schema; keys
 * with defaults are not required), or the bare id where the plugin needs no config.
 * Does not hold: validation of pipelines (that is the two-pass decode in `load.ts`; this schema
 * is a guide for editors and never decides whether a pipeline runs).
 */
import type { AnyPlugin, PluginKind, Registry } from "@hashhound/core"
import { Either, JSONSchema, Schema } from "effect"
import { DATASET_NAME_PATTERN, EvaluationSchema, RunOptionsSchema } from "./shape.js"

type JsonObject = { [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value)

const SLOT_DEFINITIONS: ReadonlyArray<readonly [kind: PluginKind, what: string]> = [
  ["source", "a source plugin"],
  ["labeler", "a labeler plugin"],
  ["qc", "a QC plugin"],
  ["features", "a feature group plugin"],
  ["model", "a model plugin"],
  ["report", "a report plugin"]
]

const slotRef = (kind: PluginKind): JsonObject => ({ $ref: `#/$defs/${slotKey(kind)}` })
const slotKey = (kind: PluginKind): string => `entry:${kind}`
const pluginKey = (id: string): string => `plugin:${id}`

/** JSON Schema of a Schema, sharing `definitions`; a Schema JSON Schema cannot express gives undefined. */
const jsonSchemaOf = (schema: Schema.Schema.AnyNoContext, definitions: Record<string, JSONSchema.JsonSchema7>): JsonObject | undefined =>
  Either.getOrUndefined(
    Either.try(() =>
      JSONSchema.fromAST(schema.ast, {
        definitions,
        definitionPath: "#/$defs/",
        target: "jsonSchema7",
        topLevelReferenceStrategy: "skip"
      }) as unknown as JsonObject
    )
  )

/** `Schema.Struct({})`: JSON Schema makes it "any non-null value"; as a config it means "no keys". */
const isEmptyStruct = (schema: Schema.Schema.AnyNoContext): boolean => {
  const ast = Schema.encodedSchema(schema).ast
  return ast._tag === "TypeLiteral" && ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0
}

/** One plugin's `{ type: id, …config }` object. */
const pluginEntrySchema = (plugin: AnyPlugin, definitions: Record<string, JSONSchema.JsonSchema7>): JsonObject => {
  const typeProperty = { const: plugin.id, description: plugin.summary }
  const description = `${plugin.id} ${plugin.version}: ${plugin.summary}`
  if (isEmptyStruct(plugin.config)) {
    return { type: "object", description, properties: { type: typeProperty }, required: ["type"], additionalProperties: false }
  }
  const config = jsonSchemaOf(plugin.config, definitions)
  if (config !== undefined && config["type"] === "object" && isObject(config["properties"]) && !("$ref" in config)) {
    const required = Array.isArray(config["required"]) ? config["required"] : []
    return {
      ...config,
      description,
      properties: { type: typeProperty, ...config["properties"] },
      required: ["type", ...required],
      additionalProperties: config["additionalProperties"] ?? false
    }
  }
  // A config that is not a plain struct (or that JSON Schema cannot express): name the type only.
  return {
    type: "object",
    description: `${description} (config not described)`,
    properties: { type: typeProperty },
    required: ["type"]
  }
}

/** Does the plugin run with no config keys at all (so the bare id is a valid entry)? */
const acceptsEmptyConfig = (plugin: AnyPlugin): boolean => Either.isRight(plugin.decode({}))

/** JSON Schema (draft-07) of pipeline YAML for the plugins in `registry`. */
export const pipelineJsonSchema = (registry: Registry): JsonObject => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const defs: JsonObject = {}
  for (const [kind, what] of SLOT_DEFINITIONS) {
    const plugins = registry.plugins.filter((plugin) => plugin.kind === kind)
    for (const plugin of plugins) defs[pluginKey(plugin.id)] = pluginEntrySchema(plugin, definitions)
    const bare = plugins.filter(acceptsEmptyConfig).map((plugin) => plugin.id)
    const alternatives: Array<JsonObject> = plugins.map((plugin) => ({ $ref: `#/$defs/${pluginKey(plugin.id)}` }))
    if (bare.length > 0) alternatives.unshift({ type: "string", enum: bare, description: "plugin id (all config keys at their defaults)" })
    defs[slotKey(kind)] =
      alternatives.length === 0
        ? { description: `${what} (none registered)`, not: {} }
        : { description: what, anyOf: alternatives }
  }
  defs["dataset"] = {
    type: "object",
    description: "one dataset: where its flows come from and how they are labelled",
    properties: {
      source: slotRef("source"),
      labels: { type: "array", items: slotRef("labeler"), description: "labelers in priority order: the first with an opinion wins" }
    },
    required: ["source"],
    additionalProperties: false
  }
  const list = (kind: PluginKind, description: string): JsonObject => ({ type: "array", items: slotRef(kind), description })
  const evaluation = jsonSchemaOf(EvaluationSchema, definitions) ?? { type: "object" }
  const options = jsonSchemaOf(RunOptionsSchema, definitions) ?? { type: "object" }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "hashhound pipeline",
    description: "A hashhound pipeline: datasets (source + labelers), QC, features, models, evaluation and reports.",
    type: "object",
    properties: {
      name: { type: "string", minLength: 1, description: "name of the pipeline" },
      output: { type: "string", minLength: 1, description: "run folder, relative to the pipeline file" },
      plugins: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description: "third-party plugin packages: package names, or paths starting with `.` relative to the pipeline file"
      },
      datasets: {
        type: "object",
        description: "datasets by name",
        minProperties: 1,
        propertyNames: { pattern: DATASET_NAME_PATTERN.source },
        additionalProperties: { $ref: "#/$defs/dataset" }
      },
      qc: list("qc", "QC checks run on every dataset"),
      features: list("features", "feature groups computed for every dataset"),
      models: list("model", "models fitted on the evaluation's train datasets"),
      reports: list("report", "reports rendered at the end of the run"),
      evaluation: { ...evaluation, description: "which datasets train and which test the models" },
      options: { ...options, description: "run options" }
    },
    required: ["name", "output", "datasets"],
    additionalProperties: false,
    $defs: { ...definitions, ...defs }
  }
}
