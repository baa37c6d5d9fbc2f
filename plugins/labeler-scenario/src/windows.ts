/**
 * Applying scenario rules to one batch.
 *
 * Holds: `scenarioAnswer`. The rule, per flow of a capture:
 * - the rules that apply are those whose capture glob matches the capture id or its base name;
 * - a flow is in a rule's window when its span [first_seen, last_seen] overlaps the window
 *   widened by the tolerance on both sides: first_seen ≤ to + tolerance and
 *   last_seen ≥ from − tolerance (bounds inclusive; last_seen missing = first_seen); the
 *   tolerance is max(`tolerance_s`, the run-wide `label_skew_s`), worked out by the caller;
 * - the first rule (in order: YAML rules, then CSV rows) whose window the flow is in decides; a
 *   rule without from/to covers every flow of its captures;
 * - a flow of a matching capture in no window gets `default` (when set), else no opinion;
 * - a flow without first_seen cannot be placed in a window: windowed rules skip it and it gets
 *   no opinion when its capture has windowed rules (`default` would be a guess);
 * - a capture no rule matches gets no opinion, except when there are no rules at all: then
 *   `default` applies to every flow (`{ type: labeler.scenario, default: benign }` labels a whole
 *   dataset).
 * Does not hold: reading rules (`rules.ts`).
 */
import { readNumeric, type Label, type LabelAnswer } from "@hashhound/core"
import type { FlowBatch } from "@hashhound/core"
import { matchesCapture } from "./glob.js"
import type { ScenarioRule } from "./rules.js"

export interface ScenarioSettings {
  readonly rules: ReadonlyArray<ScenarioRule>
  readonly defaultLabel: Label | null
  /** how far every window is widened on both sides, µs */
  readonly toleranceUs: number
}

/** The scenario labeler's answer for one batch of one capture. */
export const scenarioAnswer = (batch: FlowBatch, capture: string, settings: ScenarioSettings): LabelAnswer => {
  const rows = batch.numRows
  const label = new Array<Label | null>(rows).fill(null)
  const detail = new Array<string | null>(rows).fill(null)
  const { defaultLabel, toleranceUs } = settings
  const noRules = settings.rules.length === 0
  const rules = settings.rules.filter((rule) => matchesCapture(rule.glob, capture))
  if (rules.length === 0 && !noRules) return { label, detail }
  const hasWindows = rules.some((rule) => rule.windowed)
  const defaultDetail =
    defaultLabel === null
      ? null
      : noRules
        ? `default ${defaultLabel}`
        : hasWindows
          ? `default ${defaultLabel}: outside every window for ${capture}`
          : `default ${defaultLabel}`
  const firstSeen = readNumeric(batch, "first_seen_us")
  const lastSeen = readNumeric(batch, "last_seen_us")
  for (let row = 0; row < rows; row++) {
    const first = firstSeen === undefined ? Number.NaN : firstSeen[row]!
    const lastRaw = lastSeen === undefined ? Number.NaN : lastSeen[row]!
    const last = Number.isNaN(lastRaw) ? first : lastRaw
    const placed = !Number.isNaN(first)
    let decided = false
    for (const rule of rules) {
      if (rule.windowed) {
        if (!placed || first > rule.toUs + toleranceUs || last < rule.fromUs - toleranceUs) continue
      }
      label[row] = rule.label
      detail[row] = rule.detail
      decided = true
      break
    }
    if (!decided && defaultLabel !== null && (placed || !hasWindows)) {
      label[row] = defaultLabel
      detail[row] = defaultDetail
    }
  }
  return { label, detail }
}
