/**
 * Comparing a stage's output with a golden file: JSON normalisation, deep comparison with a
 * relative tolerance for numbers, and a minimal CSV writer/reader for row outputs.
 *
 * Holds: `toGoldenJson` (bigint, typed arrays, Arrow tables, Maps, Sets, class instances → plain
 * JSON), `goldenDiff` (list of differences by path, empty when equal), `rowsToCsv` /
 * `parseCsv` / `csvDiff`.
 * Does not hold: finding cases or registering tests (see `golden.ts`).
 */
import { rowsOf } from "./batches.js"
import type { FlowBatch } from "@hashhound/core"

export interface Tolerance {
  /** relative tolerance for numbers (default 1e-9) */
  readonly rtol?: number
  /** absolute tolerance for numbers (default 0) */
  readonly atol?: number
}

const isTable = (value: object): value is FlowBatch =>
  "schema" in value && "numRows" in value && typeof (value as { getChild?: unknown }).getChild === "function"

/** A JSON value with the same meaning as `value` (NaN and ±Infinity become null, as JSON.stringify does). */
export const toGoldenJson = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (typeof value === "string" || typeof value === "boolean") return value
  if (typeof value !== "object") return String(value)
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, toGoldenJson)
  if (Array.isArray(value)) return value.map(toGoldenJson)
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toGoldenJson(v)]))
  if (value instanceof Set) return [...value].map(toGoldenJson)
  if (isTable(value)) return toGoldenJson(rowsOf(value))
  const out: Record<string, unknown> = {}
  if (value instanceof Error) {
    const tag = (value as { _tag?: unknown })._tag
    if (typeof tag === "string") out["_tag"] = tag
    out["message"] = value.message
  }
  for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = toGoldenJson(inner)
  return out
}

const numbersClose = (a: number, b: number, tol: Tolerance): boolean =>
  a === b || Math.abs(a - b) <= (tol.atol ?? 0) + (tol.rtol ?? 1e-9) * Math.max(Math.abs(a), Math.abs(b))

const show = (value: unknown): string => {
  const text = JSON.stringify(value)
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** Differences between two JSON values, by path (`units.0.rows: 12 ≠ 13`); empty when equal. */
export const goldenDiff = (actual: unknown, expected: unknown, tol: Tolerance = {}, limit = 30): ReadonlyArray<string> => {
  const out: Array<string> = []
  const walk = (a: unknown, e: unknown, path: string): void => {
    if (out.length >= limit) return
    const where = path === "" ? "<root>" : path
    if (typeof a === "number" && typeof e === "number") {
      if (!numbersClose(a, e, tol)) out.push(`${where}: ${a} ≠ expected ${e}`)
      return
    }
    if (Array.isArray(a) && Array.isArray(e)) {
      if (a.length !== e.length) out.push(`${where}: ${a.length} items ≠ expected ${e.length}`)
      for (let i = 0; i < Math.min(a.length, e.length); i++) walk(a[i], e[i], path === "" ? `${i}` : `${path}.${i}`)
      return
    }
    if (typeof a === "object" && a !== null && typeof e === "object" && e !== null && !Array.isArray(a) && !Array.isArray(e)) {
      const ar = a as Record<string, unknown>
      const er = e as Record<string, unknown>
      for (const key of Object.keys(er)) if (!(key in ar)) out.push(`${path === "" ? key : `${path}.${key}`}: missing (expected ${show(er[key])})`)
      for (const key of Object.keys(ar)) if (!(key in er)) out.push(`${path === "" ? key : `${path}.${key}`}: unexpected ${show(ar[key])}`)
      for (const key of Object.keys(er)) if (key in ar) walk(ar[key], er[key], path === "" ? key : `${path}.${key}`)
      return
    }
    if (a !== e) out.push(`${where}: ${show(a)} ≠ expected ${show(e)}`)
  }
  walk(actual, expected, "")
  return out
}

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  const text = typeof value === "object" ? JSON.stringify(toGoldenJson(value)) : String(toGoldenJson(value) ?? "")
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Rows (objects, or an Arrow table) as CSV with a header of every key in order of first use. */
export const rowsToCsv = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string => {
  const header: Array<string> = []
  for (const row of rows) for (const key of Object.keys(row)) if (!header.includes(key)) header.push(key)
  const lines = [header.map(csvCell).join(","), ...rows.map((row) => header.map((key) => csvCell(row[key])).join(","))]
  return `${lines.join("\n")}\n`
}

/** Parse CSV text (RFC 4180 quoting) into rows of cells, header included. */
export const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ",") {
      row.push(cell)
      cell = ""
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ""
    } else cell += ch
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

/** Differences between actual rows and an expected CSV text; numeric cells compare with tolerance. */
export const csvDiff = (actualCsv: string, expectedCsv: string, tol: Tolerance = {}, limit = 30): ReadonlyArray<string> => {
  const actual = parseCsv(actualCsv)
  const expected = parseCsv(expectedCsv)
  const out: Array<string> = []
  const header = expected[0] ?? []
  if (JSON.stringify(actual[0] ?? []) !== JSON.stringify(header)) out.push(`header: ${(actual[0] ?? []).join(",")} ≠ expected ${header.join(",")}`)
  if (actual.length !== expected.length) out.push(`${actual.length - 1} rows ≠ expected ${expected.length - 1}`)
  for (let r = 1; r < Math.min(actual.length, expected.length) && out.length < limit; r++) {
    const a = actual[r] ?? []
    const e = expected[r] ?? []
    for (let c = 0; c < Math.max(a.length, e.length); c++) {
      const av = a[c] ?? ""
      const ev = e[c] ?? ""
      const same = av === ev || (av !== "" && ev !== "" && !Number.isNaN(Number(av)) && !Number.isNaN(Number(ev)) && numbersClose(Number(av), Number(ev), tol))
      if (!same) out.push(`row ${r} ${header[c] ?? `column ${c}`}: ${av} ≠ expected ${ev}`)
    }
  }
  return out.slice(0, limit)
}
