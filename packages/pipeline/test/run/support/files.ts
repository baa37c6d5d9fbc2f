/**
 * File helpers for runner tests: snapshots of a run folder (inode + mtime per file, to tell a
 * rewritten file from an untouched one) and DuckDB reads of stored Parquet.
 *
 * Holds: `snapshot`, `changed`, `listFiles`, `duckRows`.
 * Does not hold: assertions.
 */
import { DuckDBInstance } from "@duckdb/node-api"
import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"

export const listFiles = (root: string): Array<string> => {
  const out: Array<string> = []
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else out.push(relative(root, path))
    }
  }
  visit(root)
  return out.sort()
}

export type Snapshot = ReadonlyMap<string, string>

/** inode and mtime of every file under `root` (a rename into place changes the inode). */
export const snapshot = (root: string): Snapshot =>
  new Map(
    listFiles(root).map((file) => {
      const stat = statSync(join(root, file), { bigint: true })
      return [file, `${stat.ino}:${stat.mtimeNs}`]
    })
  )

/** Files present in both snapshots whose inode or mtime differ. */
export const changed = (before: Snapshot, after: Snapshot): Array<string> =>
  [...before.keys()].filter((file) => after.has(file) && after.get(file) !== before.get(file)).sort()

/** Rows of a SQL query run by a fresh DuckDB (as a reader outside the pipeline would). */
export const duckRows = async (sql: string): Promise<Array<Record<string, unknown>>> => {
  const instance = await DuckDBInstance.create(":memory:")
  try {
    const connection = await instance.connect()
    const reader = await connection.runAndReadAll(sql)
    const rows = reader.getRowObjectsJson() as Array<Record<string, unknown>>
    connection.closeSync()
    return rows
  } finally {
    instance.closeSync()
  }
}
