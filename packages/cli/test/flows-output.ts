/**
 * Reading `hashhound flows` output back for the export tests: Parquet (through DuckDB), CSV and
 * JSONL as rows of canonical columns with numbers as numbers, in input order (by `flow_id`), and
 * the check that a CLI call ended cleanly.
 * Does not hold: the expected rows (`export-rows.ts`) or the tests (`flows-exports.test.ts`).
 */
import { DuckDBInstance } from "@duckdb/node-api"
import { COLUMN_BY_NAME } from "@hashhound/core"
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import type { CliResult } from "./cli-support.js"

export type Value = string | number | null
export type Row = Readonly<Record<string, Value>>
// ---------------------------------------------------------------------------------------------
// reading the CLI's output back

/** Canonical columns whose values are numbers (DuckDB hands BIGINTs over as strings, CSV as text). */
const isNumeric = (name: string): boolean => {
  const type = COLUMN_BY_NAME.get(name)?.type
  return type === "int32" || type === "int64" || type === "float64"
}

const normalise = (row: Readonly<Record<string, unknown>>): Row =>
  Object.fromEntries(
    Object.entries(row).map(([name, value]): [string, Value] => {
      if (value === null || value === undefined || value === "") return [name, null]
      return [name, isNumeric(name) ? Number(value) : String(value)]
    })
  )

const duckRows = async (sql: string): Promise<Array<Row>> => {
  const instance = await DuckDBInstance.create(":memory:")
  try {
    const connection = await instance.connect()
    const reader = await connection.runAndReadAll(sql)
    const rows = reader.getRowObjectsJson().map((row) => normalise(row as Record<string, unknown>))
    connection.closeSync()
    return rows
  } finally {
    instance.closeSync()
  }
}

/** `flow_id` is `dataset/capture/batch/index`: the position of the flow in its input. */
const position = (row: Row): readonly [string, number, number] => {
  const parts = String(row["flow_id"]).split("/")
  return [String(row["capture"]), Number(parts.at(-2)), Number(parts.at(-1))]
}

/** The flows of an output file (Parquet, CSV or JSONL), in input order. */
export const readFlows = async (path: string): Promise<Array<Row>> => {
  const rows = path.endsWith(".jsonl")
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => normalise(JSON.parse(line) as Record<string, unknown>))
    : await duckRows(
        path.endsWith(".csv") ? `SELECT * FROM read_csv('${path}', header = true, all_varchar = true)` : `SELECT * FROM read_parquet('${path}')`
      )
  return rows.sort((a, b) => {
    const [ca, ba, ia] = position(a)
    const [cb, bb, ib] = position(b)
    return ca < cb ? -1 : ca > cb ? 1 : ba - bb || ia - ib
  })
}

/** Only the columns the expected rows name. */
export const project = (rows: ReadonlyArray<Row>, like: ReadonlyArray<Row>): Array<Row> => {
  const names = Object.keys(like[0] ?? {})
  return rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])))
}

/** Exit 0 and nothing on stderr that looks like a crash. */
export const expectClean = (result: CliResult): void => {
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  expect(result.stderr).not.toMatch(/FiberFailure|TypeError|RangeError|SyntaxError|Unhandled|Uncaught/)
}

