/**
 * Scenario rules: a capture glob, an optional time window and a label, from the YAML `rules:`
 * list or a `rules_csv` file (columns capture, from, to, label, detail).
 *
 * Holds: `ScenarioRule` (compiled: RegExp, window in µs, the detail string made once),
 * `compileRule`, `parseRulesCsv` (text → rules or the first problem with its line) and
 * `loadRulesCsv` (read the file, PluginError when it is missing or malformed: a rule file is
 * configuration, so a bad line stops the run instead of labelling with half the rules).
 * Does not hold: applying rules to flows (`windows.ts`).
 */
import { PluginError, type Label } from "@hashhound/core"
import { textLines } from "@hashhound/flowmeter"
import { Chunk, Effect, Stream } from "effect"
import { splitCsvLine } from "@hashhound/core"
import { compileGlob } from "./glob.js"
import { formatInstantUs, parseInstantUs } from "@hashhound/core"

export const PLUGIN_ID = "labeler.scenario"

export interface ScenarioRule {
  readonly capture: string
  readonly glob: RegExp
  /** window start in µs, -Infinity when open */
  readonly fromUs: number
  /** window end in µs, +Infinity when open */
  readonly toUs: number
  /** whether the rule has a window at all (else it covers every flow of its captures) */
  readonly windowed: boolean
  readonly label: Label
  /** the label_detail of flows this rule decides */
  readonly detail: string
}

export interface RuleInput {
  readonly capture: string
  readonly from?: string | number | undefined
  readonly to?: string | number | undefined
  readonly label: Label
  readonly detail?: string | undefined
}

const windowText = (fromUs: number, toUs: number): string =>
  `${Number.isFinite(fromUs) ? formatInstantUs(fromUs) : "…"}..${Number.isFinite(toUs) ? formatInstantUs(toUs) : "…"}`

/** A rule ready to apply (`where` names it in details: `rule 1`, `rules.csv:4`), or the problem with it. */
export const compileRule = (input: RuleInput, where: string): ScenarioRule | string => {
  const fromUs = input.from === undefined ? Number.NEGATIVE_INFINITY : parseInstantUs(input.from)
  const toUs = input.to === undefined ? Number.POSITIVE_INFINITY : parseInstantUs(input.to)
  if (fromUs === undefined) return `from ${JSON.stringify(input.from)} is not an ISO 8601 time with a zone or epoch seconds`
  if (toUs === undefined) return `to ${JSON.stringify(input.to)} is not an ISO 8601 time with a zone or epoch seconds`
  if (fromUs > toUs) return "from is after to"
  const windowed = input.from !== undefined || input.to !== undefined
  const scope = windowed ? `${input.capture} ${windowText(fromUs, toUs)}` : input.capture
  const detail = `${input.detail === undefined || input.detail === "" ? "scenario" : input.detail} (${where}: ${scope})`
  return { capture: input.capture, glob: compileGlob(input.capture), fromUs, toUs, windowed, label: input.label, detail }
}

const LABELS: ReadonlySet<string> = new Set(["mining", "benign", "unknown"])
const COLUMNS: ReadonlySet<string> = new Set(["capture", "from", "to", "label", "detail"])

/** Rules from a CSV text (header naming the columns; `#` comments and blank lines skipped). */
export const parseRulesCsv = (
  lines: ReadonlyArray<{ readonly text: string; readonly line: number }>,
  name: string
): ReadonlyArray<ScenarioRule> | string => {
  let header: ReadonlyArray<string> | undefined
  const rules: Array<ScenarioRule> = []
  for (const { text, line } of lines) {
    const trimmed = text.replace(/^\uFEFF/, "").trim()
    if (trimmed === "" || trimmed.startsWith("#")) continue
    const cells = splitCsvLine(trimmed)
    if (cells === undefined) return `line ${line}: a quote is not closed`
    if (header === undefined) {
      header = cells.map((cell) => cell.toLowerCase())
      const unknown = header.filter((column) => !COLUMNS.has(column))
      if (unknown.length > 0) return `line ${line}: unknown column ${unknown.join(", ")} (columns: capture, from, to, label, detail)`
      if (!header.includes("label")) return `line ${line}: the header has no label column`
      continue
    }
    if (cells.length > header.length) return `line ${line}: ${cells.length} cells for ${header.length} columns`
    const cell = (column: string): string | undefined => {
      const at = header?.indexOf(column) ?? -1
      const value = at < 0 ? undefined : cells[at]
      return value === undefined || value === "" ? undefined : value
    }
    const label = cell("label")?.toLowerCase()
    if (label === undefined || !LABELS.has(label)) return `line ${line}: label ${JSON.stringify(cell("label") ?? "")} is not mining, benign or unknown`
    const rule = compileRule(
      { capture: cell("capture") ?? "**", from: cell("from"), to: cell("to"), label: label as Label, detail: cell("detail") },
      `${name}:${line}`
    )
    if (typeof rule === "string") return `line ${line}: ${rule}`
    rules.push(rule)
  }
  return rules
}

/** Read and parse a rules CSV file (absolute path); `name` is how details cite it. */
export const loadRulesCsv = (path: string, name: string): Effect.Effect<ReadonlyArray<ScenarioRule>, PluginError> =>
  Stream.runCollect(textLines(path)).pipe(
    Effect.mapError((error) => new PluginError({ pluginId: PLUGIN_ID, stage: "reading", input: path, reason: error.reason })),
    Effect.flatMap((chunk) => {
      const parsed = parseRulesCsv(Chunk.toReadonlyArray(chunk), name)
      return typeof parsed === "string"
        ? Effect.fail(new PluginError({ pluginId: PLUGIN_ID, stage: "reading", input: path, reason: parsed }))
        : Effect.succeed(parsed)
    })
  )
