/**
 * Typed errors shared by every stage.
 *
 * Holds: one `Schema.TaggedError` per failure reason: config problems (with YAML path),
 * plugin failures (with plugin id and stage), unknown plugins, column requirements that a
 * dataset cannot meet, and invalid plugin packages.
 * Does not hold: bad records. A corrupt record is a `Finding` value, never an error.
 */
import { Schema } from "effect"

export const StagePhase = Schema.Literal("reading", "processing", "writing")
export type StagePhase = typeof StagePhase.Type

/** One problem in a pipeline file, named by its YAML path (`datasets.campus.source.idle_timeout_s`). */
export class ConfigIssue extends Schema.Class<ConfigIssue>("ConfigIssue")({
  path: Schema.String,
  message: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number),
  severity: Schema.optionalWith(Schema.Literal("error", "warning"), { default: () => "error" as const })
}) {
  /** `datasets.campus.source.idle_timeout_s (line 12): Expected number, got "x"` */
  render(): string {
    const where = this.line === undefined ? "" : ` (line ${this.line}${this.column === undefined ? "" : `, column ${this.column}`})`
    return `${this.path || "<root>"}${where}: ${this.message}`
  }
}

/** A pipeline or stage config was refused; nothing has been written. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  file: Schema.optional(Schema.String),
  issues: Schema.Array(ConfigIssue)
}) {
  override get message(): string {
    const errors = this.issues.filter((issue) => issue.severity === "error")
    const head = `${this.file ?? "pipeline"}: ${errors.length} problem${errors.length === 1 ? "" : "s"}`
    return [head, ...errors.map((issue) => `  - ${issue.render()}`)].join("\n")
  }
}

/** A plugin failed while doing its work (not a bad record: those are findings). */
export class PluginError extends Schema.TaggedError<PluginError>()("PluginError", {
  pluginId: Schema.String,
  stage: StagePhase,
  reason: Schema.String,
  input: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${this.pluginId} failed while ${this.stage}${this.input ? ` ${this.input}` : ""}: ${this.reason}`
  }
}

/** A pipeline names a plugin id that no registered package provides. */
export class UnknownPluginError extends Schema.TaggedError<UnknownPluginError>()("UnknownPluginError", {
  id: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unknown plugin "${this.id}"; known: ${this.known.join(", ")}`
  }
}

/** A plugin package or manifest breaks the plugin contract (bad id, non-snake_case config key, …). */
export class InvalidPluginError extends Schema.TaggedError<InvalidPluginError>()("InvalidPluginError", {
  source: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid plugin ${this.source}: ${this.reason}`
  }
}

/** An input file cannot be read at all (missing, unreadable, unknown format). */
export class InputError extends Schema.TaggedError<InputError>()("InputError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/** A QC check at `fail` severity stopped a dataset's downstream stages. */
export class QcFailedError extends Schema.TaggedError<QcFailedError>()("QcFailedError", {
  dataset: Schema.String,
  check: Schema.String,
  batch: Schema.optional(Schema.Number),
  reason: Schema.String
}) {
  override get message(): string {
    return `QC check ${this.check} failed on dataset ${this.dataset}${this.batch === undefined ? "" : ` batch ${this.batch}`}: ${this.reason}`
  }
}

export type HashhoundError =
  | ConfigError
  | PluginError
  | UnknownPluginError
  | InvalidPluginError
  | InputError
  | QcFailedError
