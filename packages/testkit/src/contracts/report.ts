/**
 * The report contract: a `report.*` plugin's stage rendering run artefacts, as checks and as a
 * vitest suite (`reportContract`).
 *
 * Holds: render gives at least one file, each with a relative path inside the run folder (no
 * absolute path, no `..`), unique, with non-empty contents; `.json` files parse; render of an
 * empty run never dies. The default artefacts are a tiny run with one dataset.
 * Does not hold: the common checks (plugin.ts) or writing files (the pipeline writes them).
 */
import { isAbsolute } from "node:path"
import type { AnyPlugin, ReportStage, RunArtifacts } from "@hashhound/core"
import { Effect } from "effect"
import { attempt, check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"
import { withStage, type StageContractOptions } from "./made-stage.js"
import { pluginChecks } from "./plugin.js"

export interface ReportContractOptions extends StageContractOptions {
  /** artefacts to render (default: `sampleArtifacts()`) */
  readonly artifacts?: RunArtifacts
}

/** A tiny finished run: one dataset with QC findings, and evaluation metrics. */
export const sampleArtifacts = (outputDir = "/tmp/hh-contract-run"): RunArtifacts => ({
  outputDir,
  datasets: ["contract"],
  json: {
    "manifest.json": { name: "contract", status: "done", datasets: { contract: { flows: 6, batches: 1 } } },
    "datasets/contract/qc/findings.json": [
      { source: "qc.contract", code: "threshold", severity: "warn", message: "zero-payload share 0.5 above 0.4", metric: "zero_payload_share", value: 0.5, threshold: 0.4 }
    ],
    "evaluation/metrics.json": { models: { "model.contract": { contract: { roc_auc: 0.9, pr_auc: 0.7, tpr_at_fpr: { "0.001": 0.5 } } } } }
  }
})

/** Problems with the files a render returned. */
export const reportFileViolations = (what: string, files: unknown, requireFiles: boolean): ReadonlyArray<string> => {
  if (!Array.isArray(files)) return [`${what} did not return an array of files`]
  const problems: Array<string> = []
  if (requireFiles && files.length === 0) problems.push(`${what} returned no files`)
  const seen = new Set<string>()
  for (const file of files as ReadonlyArray<{ path?: unknown; contents?: unknown }>) {
    const path = file?.path
    if (typeof path !== "string" || path === "") {
      problems.push(`${what}: a file has no path`)
      continue
    }
    if (isAbsolute(path) || path.split(/[\\/]/).includes("..")) problems.push(`${what}: "${path}" is not a relative path inside the run folder`)
    if (seen.has(path)) problems.push(`${what}: "${path}" is returned twice`)
    seen.add(path)
    const contents = file.contents
    if (typeof contents !== "string" && !(contents instanceof Uint8Array)) problems.push(`${what}: "${path}" contents are neither string nor bytes`)
    else if (contents.length === 0) problems.push(`${what}: "${path}" is empty`)
    else if (path.endsWith(".json")) {
      const text = typeof contents === "string" ? contents : Buffer.from(contents).toString("utf8")
      try {
        JSON.parse(text)
      } catch {
        problems.push(`${what}: "${path}" is not valid JSON`)
      }
    }
  }
  return problems
}

export const checkRender = (stage: ReportStage, artifacts: RunArtifacts) =>
  Effect.map(Effect.exit(attempt(() => stage.render(artifacts))), (exit) =>
    exit._tag === "Failure" ? [...exitViolations("render(artefacts)", exit), "render(artefacts) failed"] : reportFileViolations("render(artefacts)", exit.value, true)
  )

export const checkRenderEmpty = (stage: ReportStage) =>
  Effect.map(Effect.exit(attempt(() => stage.render({ outputDir: "/tmp/hh-contract-empty", datasets: [], json: {} }))), (exit) =>
    exit._tag === "Failure" ? exitViolations("render(empty run)", exit) : reportFileViolations("render(empty run)", exit.value, false)
  )

export const reportChecks = (plugin: AnyPlugin, options: ReportContractOptions): ReadonlyArray<ContractCheck> => {
  const artifacts = options.artifacts ?? sampleArtifacts()
  return [
    check("render gives files with relative paths and non-empty contents", withStage(plugin, "report", options, (stage) => checkRender(stage, artifacts))),
    check("render of an empty run never dies", withStage(plugin, "report", options, checkRenderEmpty))
  ]
}

/** Register the common and the report contract for one report plugin. */
export const reportContract = (plugin: AnyPlugin, options: ReportContractOptions): void =>
  registerChecks(`${plugin.id}: report contract`, [...pluginChecks(plugin, options), ...reportChecks(plugin, options)], options.testTimeoutMs)

export const reportContractViolations = (plugin: AnyPlugin, options: ReportContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...reportChecks(plugin, options)])
