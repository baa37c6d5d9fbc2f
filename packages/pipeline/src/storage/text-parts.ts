/**
 * The end of a CSV or JSONL export. Its batches are appended, as they are written, to segments:
 * one file for each run of batches with the same columns (`shapeOf`), so that an export of one
 * shape is its one segment, renamed into place. Segments whose columns differ are united here.
 *
 * Holds: `shapeOf`, and the SQL sources for segments whose columns differ, united by column
 * name in segment order with every cell read back as the text it was written as, so that
 * DuckDB writes it again as it was: `unitedCsvSource` (cells as VARCHAR) and
 * `unitedJsonlSource` (values as JSON).
 * Does not hold: writing the segments (see `text-writer.ts`, `storage.ts`), Parquet parts (see
 * `parquet-concat.ts`).
 */
import type { ColumnType } from "@hashhound/core"
import { quoteLiteral } from "./column-kinds.js"

/**
 * The columns of a part, in order, as one string (JSON of name and kind pairs): batches of one
 * shape are appended to one segment of a CSV or JSONL export.
 */
export const shapeOf = (columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }>): string =>
  JSON.stringify(columns.map((column) => [column.name, column.kind]))

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
