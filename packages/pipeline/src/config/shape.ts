/**
 * Pass 1 of pipeline decoding: the outer shape of a pipeline file.
 *
 * Holds: the Effect Schemas of the file (`PipelineFileSchema`, datasets, evaluation, run
 * options, and `EntryInput`: a plugin id or a `{ type: …, … }` mapping whose other keys are left
 * for pass 2), `decodeShape` (unknown keys rejected, every problem reported with its YAML path),
 * and the checks that span sections (dataset names, evaluation names, concurrency vs CPUs).
 * Does not hold: decoding an entry against its plugin (pass 2, `entries.ts`) or YAML positions.
 */
import { ConfigIssue, COLUMN_BY_NAME, isGuardedColumn } from "@hashhound/core"
import { Either, ParseResult, Schema, SchemaAST } from "effect"
import { closest } from "./closest.js"

/** Dataset names: lower case, start with a letter (they become folder names and flow-id parts). */
export const DATASET_NAME_PATTERN = /^[a-z][a-z0-9_-]*$/

/** A stage entry as written: `features.volume`, or `{ type: model.gbdt, trees: 300 }`. */
export type EntryInput = string | ({ readonly type: string } & Readonly<Record<string, unknown>>)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const EntryInput: Schema.Schema<EntryInput> = Schema.declare<EntryInput, EntryInput, []>([], {
  decode: () => (input, _options, ast) => {
    if (typeof input === "string") return ParseResult.succeed(input)
    if (!isRecord(input)) {
      return ParseResult.fail(new ParseResult.Type(ast, input, "expected a plugin id or a mapping with a `type` key"))
    }
    const type = input["type"]
    if (type === undefined) {
      return ParseResult.fail(
        new ParseResult.Pointer("type", input, new ParseResult.Missing(new SchemaAST.Type(SchemaAST.stringKeyword), "required key `type` (the plugin id) is missing"))
      )
    }
    if (typeof type !== "string") {
      return ParseResult.fail(
        new ParseResult.Pointer("type", input, new ParseResult.Type(ast, type, "expected a plugin id (a string)"))
      )
    }
    return ParseResult.succeed(input as EntryInput)
  },
  encode: () => (input) => ParseResult.succeed(input as EntryInput)
}, { identifier: "StageEntryInput", description: "a plugin id, or a mapping with `type` (the plugin id) and the plugin's config keys" })

const NonEmptyString = Schema.String.pipe(Schema.minLength(1))
const Concurrency = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))

/** `message` annotation: replaces Effect's "Expected <type>, actual …" where the value has the wrong shape. */
const expected = (what: string) => ({ message: () => `expected ${what}` })

const entryList = Schema.Array(EntryInput).annotations(expected("a list of entries (`- plugin.id` or `- { type: plugin.id, … }`)"))

export const RunOptionsSchema = Schema.Struct({
  dataset_concurrency: Schema.optionalWith(Concurrency, { default: () => 2 }).annotations({
    description: "datasets processed at once"
  }),
  unit_concurrency: Schema.optionalWith(Concurrency, { default: () => 2 }).annotations({
    description: "units (captures, exports) of one dataset processed at once; at most the CPU count"
  }),
  label_skew_s: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 0 }).annotations({
    description: "seconds label windows may be off from capture clocks"
  }),
  allow_guarded_columns: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }).annotations({
    description: "identity, address, app-hint or label columns feature groups may read nevertheless"
  })
})
export type RunOptionsInput = typeof RunOptionsSchema.Type

export const DEFAULT_RUN_OPTIONS: RunOptionsInput = Schema.decodeUnknownSync(RunOptionsSchema)({})

export const EvaluationSchema = Schema.Struct({
  train: Schema.NonEmptyArray(Schema.String).annotations({ description: "datasets the models are fitted on" }),
  test: Schema.Array(Schema.String).annotations({ description: "datasets the fitted models are scored on" }),
  target_fpr: Schema.optionalWith(Schema.NonEmptyArray(Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThan(1))), {
    default: () => [0.001, 0.0001] as const
  }).annotations({ description: "false-positive rates at which detection rates are reported" })
})

export const DatasetSchema = Schema.Struct({
  source: EntryInput.annotations({ description: "the source plugin that reads this dataset" }),
  labels: Schema.optionalWith(entryList, { default: () => [] }).annotations({
    description: "labelers in priority order"
  })
})

const EntryList = (description: string) =>
  Schema.optionalWith(entryList, { default: () => [] }).annotations({ description })

export const PipelineFileSchema = Schema.Struct({
  name: NonEmptyString.annotations({ description: "name of the pipeline" }),
  output: NonEmptyString.annotations({ description: "run folder, relative to the pipeline file" }),
  plugins: Schema.optionalWith(Schema.Array(NonEmptyString).annotations(expected("a list of package names or paths")), {
    default: () => []
  }).annotations({
    description: "third-party plugin packages: package names, or paths starting with `.` relative to the pipeline file"
  }),
  datasets: Schema.Record({ key: Schema.String, value: DatasetSchema }).annotations({
    description: "datasets by name",
    ...expected("a mapping of dataset name → { source, labels }")
  }),
  qc: EntryList("QC checks run on every dataset"),
  features: EntryList("feature groups computed for every dataset"),
  models: EntryList("models fitted on the evaluation's train datasets"),
  reports: EntryList("reports rendered at the end of the run"),
  evaluation: Schema.optional(EvaluationSchema),
  options: Schema.optionalWith(RunOptionsSchema, { default: () => DEFAULT_RUN_OPTIONS })
})
export type PipelineFile = typeof PipelineFileSchema.Type

const STRICT = { onExcessProperty: "error", errors: "all" } as const

const formatIssue = (issue: ParseResult.ArrayFormatterIssue): ConfigIssue => {
  const path = issue.path.map((key) => String(key)).join(".")
  if (issue._tag === "Unexpected") {
    const allowed = [...issue.message.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? "")
    const key = String(issue.path[issue.path.length - 1] ?? "")
    const suggestion = closest(key, allowed)
    const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`
    const list = allowed.length > 0 ? ` (allowed here: ${allowed.join(", ")})` : ""
    return new ConfigIssue({ path, message: `unknown key${hint}${list}` })
  }
  if (issue._tag === "Missing") {
    const last = issue.path[issue.path.length - 1]
    // a non-empty list that is empty reports its first item as missing
    if (typeof last === "number") {
      return new ConfigIssue({ path: issue.path.slice(0, -1).map(String).join("."), message: "needs at least one item" })
    }
    return new ConfigIssue({ path, message: issue.message === "is missing" ? "required key is missing" : issue.message })
  }
  // Structs with defaulted keys are transformations whose encoded side carries no message annotation.
  const struct = /^Expected Struct \(Encoded side\), actual (.*)$/s.exec(issue.message)
  if (struct !== null) {
    const what =
      issue.path[0] === "datasets"
        ? "a dataset: a mapping with `source` and optional `labels`"
        : issue.path[0] === "options"
          ? "a mapping of run options"
          : issue.path[0] === "evaluation"
            ? "a mapping with `train` and `test` dataset lists"
            : "a mapping"
    return new ConfigIssue({ path, message: `expected ${what}, actual ${struct[1] ?? ""}` })
  }
  return new ConfigIssue({ path, message: issue.message })
}

/**
 * Pass 1 issues. An optional key with a wrong value fails both its type and `undefined`; the
 * `undefined` one is dropped when a more useful issue names the same path or one below it.
 */
const shapeIssues = (error: ParseResult.ParseError): ReadonlyArray<ConfigIssue> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map(formatIssue)
  const isUndefinedNoise = (issue: ConfigIssue) => issue.message.startsWith("Expected undefined")
  return issues.filter(
    (issue) =>
      !isUndefinedNoise(issue) ||
      !issues.some(
        (other) => !isUndefinedNoise(other) && (other.path === issue.path || other.path.startsWith(`${issue.path}.`))
      )
  )
}

/** Run options as far as they decode (defaults otherwise), so later checks can go on after a shape error. */
export const bestEffortOptions = (value: unknown): RunOptionsInput => {
  const raw = isRecord(value) ? value["options"] : undefined
  return Either.getOrElse(Schema.decodeUnknownEither(RunOptionsSchema)(raw ?? {}), () => DEFAULT_RUN_OPTIONS)
}

const stringsAt = (value: unknown): ReadonlyArray<string | undefined> =>
  Array.isArray(value) ? value.map((item: unknown) => (typeof item === "string" ? item : undefined)) : []

/**
 * Checks that span sections: dataset names, evaluation names, concurrency, allowed columns.
 * They read the raw value defensively so that they report even when the shape has errors.
 */
const crossChecks = (value: Readonly<Record<string, unknown>>, cpuCount: number): ReadonlyArray<ConfigIssue> => {
  const issues: Array<ConfigIssue> = []
  const datasets = value["datasets"]
  const names = isRecord(datasets) ? Object.keys(datasets) : []
  if (isRecord(datasets) && names.length === 0) {
    issues.push(new ConfigIssue({ path: "datasets", message: "at least one dataset is needed" }))
  }
  for (const name of names) {
    if (!DATASET_NAME_PATTERN.test(name)) {
      issues.push(
        new ConfigIssue({
          path: `datasets.${name}`,
          message: `dataset name "${name}" must be lower case letters, digits, "_" or "-", starting with a letter`
        })
      )
    }
  }
  const evaluation = value["evaluation"]
  if (isRecord(evaluation) && isRecord(datasets)) {
    for (const part of ["train", "test"] as const) {
      stringsAt(evaluation[part]).forEach((name, index) => {
        if (name === undefined || names.includes(name)) return
        const suggestion = closest(name, names)
        issues.push(
          new ConfigIssue({
            path: `evaluation.${part}.${index}`,
            message: `unknown dataset "${name}"${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`} (datasets: ${names.join(", ")})`
          })
        )
      })
    }
    const models = value["models"]
    if (!Array.isArray(models) || models.length === 0) {
      issues.push(
        new ConfigIssue({ path: "evaluation", message: "evaluation is set but no models are listed; nothing will be evaluated", severity: "warning" })
      )
    }
  }
  const options = isRecord(value["options"]) ? value["options"] : {}
  const units = options["unit_concurrency"]
  if (typeof units === "number" && Number.isInteger(units) && units > cpuCount) {
    issues.push(
      new ConfigIssue({
        path: "options.unit_concurrency",
        message: `${units} is more than the ${cpuCount} CPUs here; ${cpuCount} will be used`,
        severity: "warning"
      })
    )
  }
  stringsAt(options["allow_guarded_columns"]).forEach((column, index) => {
    if (column === undefined || isGuardedColumn(column)) return
    issues.push(
      new ConfigIssue({
        path: `options.allow_guarded_columns.${index}`,
        message: COLUMN_BY_NAME.has(column)
          ? `"${column}" is not a guarded column; feature groups may read it anyway`
          : `"${column}" is not a flow column`,
        severity: "warning"
      })
    )
  })
  return issues
}

export interface ShapeResult {
  /** present when the outer shape decoded (there may still be cross-section errors in `issues`) */
  readonly file?: PipelineFile
  readonly issues: ReadonlyArray<ConfigIssue>
}

/** Pass 1: decode the outer shape of a parsed pipeline file. */
export const decodeShape = (value: unknown, cpuCount: number): ShapeResult => {
  if (value === null || value === undefined) {
    return { issues: [new ConfigIssue({ path: "", message: "the pipeline file is empty; expected a mapping with name, output and datasets" })] }
  }
  if (!isRecord(value)) {
    return { issues: [new ConfigIssue({ path: "", message: "expected a mapping with name, output and datasets at the top of the file" })] }
  }
  const cross = crossChecks(value, cpuCount)
  return Either.match(Schema.decodeUnknownEither(PipelineFileSchema, STRICT)(value), {
    onLeft: (error) => ({ issues: [...shapeIssues(error), ...cross] }),
    onRight: (file) => ({ file, issues: cross })
  })
}
