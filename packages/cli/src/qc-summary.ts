/**
 * The CLI's QC summary table: findings per dataset and check, counted by severity, with the
 * worst finding's message, as plain text for a terminal or a log.
 *
 * Holds: `qcSummaryTable(findingsByDataset, options)`. Rows per dataset: one per reporting check
 * (worst first), then the dataset's total; messages are cut to a width and cleaned of control
 * and bidi characters (a finding message can carry strings from traffic, and a terminal must not
 * interpret them).
 * Does not hold: reading findings (the runner has them) or colours.
 */
import type { Finding, Severity } from "@hashhound/core"

export interface QcSummaryOptions {
  /** longest message shown, in characters (default 100) */
  readonly maxMessageChars?: number
}

type FindingsByDataset = Readonly<Record<string, ReadonlyArray<Finding>>> | ReadonlyMap<string, ReadonlyArray<Finding>>

const RANK: Readonly<Record<Severity, number>> = { fail: 0, warn: 1, info: 2 }

/** Text safe to print: C0/C1 controls (ESC included) and bidi overrides become spaces or go. */
export const terminalSafe = (text: string): string =>
  text
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/ {2,}/g, " ")
    .trim()

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`)

interface Row {
  readonly dataset: string
  readonly check: string
  readonly fail: number
  readonly warn: number
  readonly info: number
  readonly status: string
  readonly message: string
}

const statusOf = (fail: number, warn: number): string => (fail > 0 ? "FAIL" : warn > 0 ? "warn" : "pass")

const rowOf = (dataset: string, check: string, findings: ReadonlyArray<Finding>, max: number): Row => {
  const fail = findings.filter((f) => f.severity === "fail").length
  const warn = findings.filter((f) => f.severity === "warn").length
  const worst = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity])[0]
  return {
    dataset,
    check,
    fail,
    warn,
    info: findings.length - fail - warn,
    status: statusOf(fail, warn),
    message: worst === undefined || worst.severity === "info" ? "" : cut(terminalSafe(worst.message), max)
  }
}

/** The table as text, one line per row, columns aligned; "no QC findings" when there are none. */
export const qcSummaryTable = (findingsByDataset: FindingsByDataset, options: QcSummaryOptions = {}): string => {
  const max = Math.max(8, options.maxMessageChars ?? 100)
  const entries: ReadonlyArray<readonly [string, ReadonlyArray<Finding>]> =
    findingsByDataset instanceof Map ? [...findingsByDataset] : Object.entries(findingsByDataset as Readonly<Record<string, ReadonlyArray<Finding>>>)
  const rows: Array<Row> = []
  for (const [dataset, findings] of entries) {
    const name = terminalSafe(dataset)
    const bySource = new Map<string, Array<Finding>>()
    for (const f of findings) {
      const list = bySource.get(f.source) ?? []
      list.push(f)
      bySource.set(f.source, list)
    }
    const checks = [...bySource].map(([check, list]) => rowOf(name, terminalSafe(check), list, max))
    checks.sort((a, b) => b.fail - a.fail || b.warn - a.warn || a.check.localeCompare(b.check))
    rows.push(...checks)
    const total = rowOf(name, "(all)", findings, max)
    rows.push({ ...total, message: "" })
  }
  if (rows.length === 0) return "no QC findings"
  const header: Row = { dataset: "dataset", check: "check", fail: 0, warn: 0, info: 0, status: "status", message: "worst finding" }
  const cells = (row: Row, isHeader: boolean): ReadonlyArray<string> => [
    row.dataset,
    row.check,
    isHeader ? "fail" : String(row.fail),
    isHeader ? "warn" : String(row.warn),
    isHeader ? "info" : String(row.info),
    row.status,
    row.message
  ]
  const table = [cells(header, true), ...rows.map((row) => cells(row, false))]
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
  const numeric = new Set([2, 3, 4])
  return table
    .map((line) =>
      line
        .map((cell, column) => (column === line.length - 1 ? cell : numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}
