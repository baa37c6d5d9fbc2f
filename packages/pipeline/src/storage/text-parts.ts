/**
 * The end of a CSV or JSONL export: the parts written batch by batch (while the flow meter read
 * the next batch) made into one file.
 *
 * Holds: `oneShape` (every part has the first part's columns and kinds), `concatTextParts`
 * (parts of one shape joined byte for byte, CSV keeping only the first part's header line),
 * and the SQL sources for parts whose columns differ, united by column name in part order with
 * every cell read back as the text it was written as, so that DuckDB writes it again as it was:
 * `unitedCsvSource` (cells as VARCHAR) and `unitedJsonlSource` (values as JSON).
 * Does not hold: writing the parts (see `text-writer.ts`), Parquet parts (see `parquet-concat.ts`).
 */
import type { ColumnType } from "@hashhound/core"
import { promises as fs } from "node:fs"
import { quoteLiteral } from "./column-kinds.js"
import { COPY_BYTES, copyRange } from "./file-range.js"

/** The columns of a part, in order, as one string (JSON of name and kind pairs): parts of one shape join as they are. */
const shapeOf = (columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }>): string =>
  JSON.stringify(columns.map((column) => [column.name, column.kind]))

/** True when every part has the first part's columns (none: true); each shape is made once. */
export const oneShape = (parts: ReadonlyArray<{ readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }> }>): boolean => {
  const first = parts[0]
  if (first === undefined) return true
  const shape = shapeOf(first.columns)
  return parts.every((part) => part === first || shapeOf(part.columns) === shape)
}

/**
 * True when CSV parts with these columns have a one-line header, so that the join can drop it
 * by its first line (a column name with a line break in it is quoted over two lines).
 */
export const oneLineHeader = (columns: ReadonlyArray<{ readonly name: string }>): boolean =>
  columns.every((column) => !column.name.includes("\n") && !column.name.includes("\r"))

/** The first line of a CSV part, with its newline (the whole file when it has none). */
const headerOf = async (path: string): Promise<Buffer> => {
  const handle = await fs.open(path, "r")
  try {
    const chunks: Array<Buffer> = []
    for (let at = 0; ; ) {
      const chunk = Buffer.alloc(64 << 10)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at)
      if (bytesRead === 0) return Buffer.concat(chunks)
      const newline = chunk.subarray(0, bytesRead).indexOf(0x0a)
      if (newline >= 0) {
        chunks.push(chunk.subarray(0, newline + 1))
        return Buffer.concat(chunks)
      }
      chunks.push(chunk.subarray(0, bytesRead))
      at += bytesRead
    }
  } finally {
    await handle.close()
  }
}

/**
 * Join CSV (`header`: the parts after the first without their header line) or JSONL parts of
 * one shape (in order) into `target`. A CSV part whose first line is not the first part's header
 * fails the join (parts of one shape have the same header). The caller owns `target`'s
 * atomicity (pass a tmp name).
 */
export const concatTextParts = async (parts: ReadonlyArray<string>, target: string, header: boolean): Promise<void> => {
  const first = header && parts.length > 0 ? await headerOf(parts[0]!) : Buffer.alloc(0)
  const out = await fs.open(target, "w")
  try {
    const buffer = Buffer.alloc(COPY_BYTES)
    let position = 0
    for (const [index, part] of parts.entries()) {
      const input = await fs.open(part, "r")
      try {
        let from = 0
        if (index > 0 && header) {
          const { bytesRead } = await input.read(buffer, 0, first.length, 0)
          if (bytesRead !== first.length || !buffer.subarray(0, bytesRead).equals(first)) {
            throw new Error(`${part}: its header line is not the first part's`)
          }
          from = first.length
        }
        position += await copyRange(input, from, undefined, out, position, buffer)
      } finally {
        await input.close()
      }
    }
  } finally {
    await out.close()
  }
}

/**
 * CSV parts of different shapes as one SQL source: columns united by name in order of first
 * appearance, rows in part order (with insertion order preserved), every column read as text
 * in the dialect DuckDB writes, so a cell is written back byte for byte.
 */
export const unitedCsvSource = (parts: ReadonlyArray<string>): string =>
  `read_csv([${parts.map(quoteLiteral).join(", ")}], header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, union_by_name = true)`

/**
 * JSONL parts of different shapes as one SQL source: every column named in any part (in order
 * of first appearance) read as JSON, rows in part order (with insertion order preserved), so
 * that DuckDB's JSON writer writes each value back byte for byte, and `null` where a part has
 * no such column.
 */
export const unitedJsonlSource = (parts: ReadonlyArray<{ readonly path: string; readonly columns: ReadonlyArray<{ readonly name: string }> }>): string => {
  const names = [...new Set(parts.flatMap((part) => part.columns.map((column) => column.name)))]
  const columns = names.map((name) => `${quoteLiteral(name)}: 'JSON'`).join(", ")
  return `read_json([${parts.map((part) => quoteLiteral(part.path)).join(", ")}], format = 'newline_delimited', columns = {${columns}})`
}
