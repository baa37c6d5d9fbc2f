/**
 * `hashhound run PIPELINE.yaml`: validate, then run with resume; `--force` redoes everything.
 * A summary table at the end, then the QC table (findings per dataset and check by severity,
 * with the worst finding); exit 1 when a dataset failed QC or a stage failed.
 */
import { Command, Options } from "@effect/cli"
import { Finding, PluginRegistry, type Severity } from "@hashhound/core"
import { loadPipeline, runPipeline, StorageLive, type RunSummary } from "@hashhound/pipeline"
import { Console, Effect } from "effect"
import { CommandExit, EXIT_FAILED } from "../exit.js"
import { chooseMode, progressLayer } from "../progress.js"
import { qcSummaryTable } from "../qc-summary.js"
import { quietOption } from "../options.js"
import { pipelineArg } from "./validate.js"

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n")
}

/**
 * Findings per dataset as `qcSummaryTable` counts them: the summary carries each check's counts
 * by severity and its first finding of each severity, so each example stands for as many
 * findings as its severity counted (the same object, repeated; no copies).
 */
export const qcFindingsOf = (summary: RunSummary): Record<string, ReadonlyArray<Finding>> => {
  const out: Record<string, Array<Finding>> = {}
  for (const dataset of summary.datasets) {
    const list: Array<Finding> = []
    for (const check of dataset.checks) {
      for (const severity of ["fail", "warn", "info"] as const satisfies ReadonlyArray<Severity>) {
        const n = check.counts[severity]
        if (n <= 0) continue
        const example =
          check.examples.find((f) => f.severity === severity) ??
          new Finding({ source: check.check, code: "count", severity, message: `${check.check}: ${n} ${severity} finding(s)` })
        for (let i = 0; i < n; i++) list.push(example)
      }
    }
    out[dataset.name] = list
  }
  return out
}

export const renderSummary = (summary: RunSummary): string => {
  const rows: Array<ReadonlyArray<string>> = [["dataset", "units read", "skipped", "batches", "flows", "warn", "fail", "qc"]]
  for (const d of summary.datasets) {
    rows.push([
      d.name,
      String(d.units.read),
      String(d.units.skipped),
      String(d.batches.written + d.batches.skipped),
      d.flows.toLocaleString("en-US"),
      String(d.findings.warn),
      String(d.findings.fail),
      d.qc
    ])
  }
  const lines = [table(rows), "", qcSummaryTable(qcFindingsOf(summary)), ""]
  for (const failure of summary.failures) lines.push(`QC failed: ${failure.message}`)
  lines.push(`run ${summary.status}: ${summary.output}`)
  return lines.join("\n")
}

/** Load, run and print; shared by `run` and `demo`. */
export const runFile = (file: string, options: { readonly force: boolean; readonly quiet: boolean }) =>
  Effect.gen(function* () {
    const builtins = yield* PluginRegistry
    const { spec, warnings, registry } = yield* loadPipeline(file, builtins)
    for (const warning of warnings) yield* Console.error(`warning: ${warning.render()}`)
    const summary = yield* runPipeline(spec, { force: options.force }).pipe(
      Effect.provideService(PluginRegistry, registry),
      Effect.provide(StorageLive()),
      Effect.provide(progressLayer(chooseMode(options.quiet)))
    )
    yield* Console.log(renderSummary(summary))
    if (summary.status !== "ok") return yield* Effect.fail(new CommandExit(EXIT_FAILED))
    return summary
  })

export const runCommand = Command.make(
  "run",
  {
    pipeline: pipelineArg,
    force: Options.boolean("force").pipe(Options.withDescription("redo every stage, ignoring what earlier runs stored")),
    quiet: quietOption
  },
  ({ pipeline, force, quiet }) => Effect.asVoid(runFile(pipeline, { force, quiet }))
).pipe(
  Command.withDescription(
    "Run a pipeline. A killed run started again skips what is done; changing a stage's config redoes that stage and what depends on it."
  )
)
