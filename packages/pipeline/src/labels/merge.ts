/**
 * Label merge: several labelers' answers for one batch → `label`, `label_source`, `label_detail`.
 *
 * Holds: `mergeLabels` (pure, over arrays) and `answerProblems` (is an answer well formed for a
 * batch of n rows). The rule, per row, with labelers in declared priority order:
 *
 * 1. A definite answer (`mining` or `benign`) is an opinion. The first labeler with a definite
 *    answer decides `label` and `label_source`; its detail starts `label_detail`.
 * 2. A later definite answer that disagrees is a conflict: `label_detail` gets
 *    `conflict: <winner id>=<label> vs <id>=<label>` (plus that labeler's detail in brackets),
 *    the row's conflict count goes up and the pair is counted in `conflictPairs`. A later answer
 *    that agrees is not recorded.
 * 3. An explicit `unknown` counts only when no labeler, earlier or later, is definite: then the
 *    row is `unknown` with `label_source` = the first labeler that said `unknown` (so "a labeler
 *    looked and could not tell" stays apart from "nobody looked"). An explicit `unknown` never
 *    hides a later `mining`/`benign`, and never conflicts with one.
 * 4. `null` is no opinion. A no-opinion answer that still has a detail (weak evidence, e.g. an
 *    IOC port match) is kept as a note `<id>: <detail>` after the winner's detail and conflicts.
 * 5. A row with no opinion from anyone is `unknown` with `label_source` null: never `benign`
 *    by accident.
 *
 * A label outside mining | benign | unknown, or a missing cell (an answer shorter than the
 * batch), is treated as null here; `answerProblems` is what a runner uses to refuse such answers.
 * Does not hold: running labelers, duplicates (`duplicates.ts`) or the QC summary (`summary.ts`).
 */
import type { Label, LabelAnswer } from "@hashhound/core"

/** One labeler's answer for a batch, with the labeler's id (`labeler.stratum`). */
export interface LabelerAnswer {
  readonly id: string
  readonly answer: LabelAnswer
}

/** How a merged row was decided. */
export const Decision = {
  /** nobody had an opinion: `unknown`, no source */
  none: 0,
  /** a labeler said mining or benign */
  definite: 1,
  /** a labeler said `unknown` and nobody was definite */
  explicitUnknown: 2
} as const
export type Decision = (typeof Decision)[keyof typeof Decision]

export interface MergedLabels {
  readonly label: ReadonlyArray<Label>
  /** id of the labeler that decided, null when nobody had an opinion */
  readonly source: ReadonlyArray<string | null>
  readonly detail: ReadonlyArray<string | null>
  /** per row: later definite answers that disagreed with the winner */
  readonly conflicts: Uint16Array
  /** per row: a `Decision` value */
  readonly decision: Uint8Array
  /** rows per conflict pair, keyed `<winner id>=<label> vs <id>=<label>` */
  readonly conflictPairs: ReadonlyMap<string, number>
}

const isLabel = (value: unknown): value is Label => value === "mining" || value === "benign" || value === "unknown"

const cellLabel = (answer: LabelAnswer, row: number): Label | null => {
  const value: unknown = answer.label[row]
  return isLabel(value) ? value : null
}

const cellDetail = (answer: LabelAnswer, row: number): string | null => {
  const value: unknown = answer.detail[row]
  return typeof value === "string" && value !== "" ? value : null
}

/** Merge answers given in priority order (the rule is in the module header). */
export const mergeLabels = (answers: ReadonlyArray<LabelerAnswer>, rows: number): MergedLabels => {
  const label = new Array<Label>(rows)
  const source = new Array<string | null>(rows)
  const detail = new Array<string | null>(rows)
  const conflicts = new Uint16Array(rows)
  const decision = new Uint8Array(rows)
  const conflictPairs = new Map<string, number>()
  const parts: Array<string> = []
  for (let row = 0; row < rows; row++) {
    let winner = -1
    let winnerLabel: Label = "unknown"
    let firstUnknown = -1
    for (let i = 0; i < answers.length; i++) {
      const said = cellLabel(answers[i]!.answer, row)
      if (said === null) continue
      if (said === "unknown") {
        if (firstUnknown < 0) firstUnknown = i
      } else if (winner < 0) {
        winner = i
        winnerLabel = said
      }
    }
    parts.length = 0
    const decider = winner >= 0 ? winner : firstUnknown
    if (decider >= 0) {
      const why = cellDetail(answers[decider]!.answer, row)
      if (why !== null) parts.push(why)
    }
    if (winner >= 0) {
      const winnerId = answers[winner]!.id
      for (let i = winner + 1; i < answers.length; i++) {
        const { id, answer } = answers[i]!
        const said = cellLabel(answer, row)
        if (said === null || said === "unknown" || said === winnerLabel) continue
        const pair = `${winnerId}=${winnerLabel} vs ${id}=${said}`
        conflictPairs.set(pair, (conflictPairs.get(pair) ?? 0) + 1)
        conflicts[row] = Math.min(65_535, conflicts[row]! + 1)
        const why = cellDetail(answer, row)
        parts.push(why === null ? `conflict: ${pair}` : `conflict: ${pair} (${why})`)
      }
    }
    for (let i = 0; i < answers.length; i++) {
      const { id, answer } = answers[i]!
      if (cellLabel(answer, row) !== null) continue
      const why = cellDetail(answer, row)
      if (why !== null) parts.push(`${id}: ${why}`)
    }
    label[row] = winner >= 0 ? winnerLabel : "unknown"
    source[row] = decider >= 0 ? answers[decider]!.id : null
    decision[row] = winner >= 0 ? Decision.definite : firstUnknown >= 0 ? Decision.explicitUnknown : Decision.none
    detail[row] = parts.length === 0 ? null : parts.join("; ")
  }
  return { label, source, detail, conflicts, decision, conflictPairs }
}

/**
 * Why an answer cannot be merged for a batch of `rows` rows (wrong lengths, a label outside
 * mining | benign | unknown | null, a detail that is not a string or null), or undefined.
 */
export const answerProblems = (answer: LabelAnswer, rows: number): string | undefined => {
  const label: unknown = (answer as { label?: unknown }).label
  const detail: unknown = (answer as { detail?: unknown }).detail
  if (!Array.isArray(label) || !Array.isArray(detail)) return "the answer has no label and detail arrays"
  if (label.length !== rows || detail.length !== rows)
    return `answered ${label.length} labels and ${detail.length} details for ${rows} flows`
  for (let row = 0; row < rows; row++) {
    const value: unknown = label[row]
    if (value !== null && !isLabel(value)) return `row ${row}: label ${JSON.stringify(value)} is not mining, benign, unknown or null`
    const why: unknown = detail[row]
    if (why !== null && typeof why !== "string") return `row ${row}: detail is not a string or null`
  }
  return undefined
}
