/**
 * The SQL text of DuckDB's COPY and read_parquet as the storage uses them, with no DuckDB
 * loaded: file formats and their COPY options, the SELECT list a format gets, and the
 * `read_parquet` source over several files.
 *
 * Holds: `FileFormat`, `copyOptions`, `selectListFor` and `parquetSource`.
 * Does not hold: running anything (see `tables.ts`, which runs them, and `storage.ts`).
 */
import type { ColumnType } from "@hashhound/core"
import { quoteIdent, quoteLiteral } from "./column-kinds.js"

export type FileFormat = "parquet" | "csv" | "jsonl"

const isList = (kind: ColumnType): boolean => kind === "list_int32" || kind === "list_float64"

/** The SELECT list a file format gets: lists as JSON array text in CSV, everything as it is otherwise. */
export const selectListFor = (columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }>, format: FileFormat): string =>
  columns.length === 0
    ? "*"
    : columns
        .map((column) =>
          format === "csv" && isList(column.kind)
            ? `CAST(to_json(${quoteIdent(column.name)}) AS VARCHAR) AS ${quoteIdent(column.name)}`
            : quoteIdent(column.name)
        )
        .join(", ")

/**
 * Parquet: zstd; a dictionary only for a column chunk whose distinct values fit in 256 bytes
 * (protocol, flags, end reasons, …). DuckDB's default also made one for counters, times and
 * addresses, mostly distinct per row: on flows from the fixtures that made files 22% larger,
 * took twice as long to write and held about 10 MB more per row group being written (measured
 * on 8,192-row groups of the bench captures' flows; generated flows: the same size either way).
 */
const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, DICTIONARY_SIZE_LIMIT 256"

export const copyOptions = (format: FileFormat): string =>
  format === "parquet" ? PARQUET_OPTIONS : format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT json"

/** `read_parquet([...])` over the given files. */
export const parquetSource = (paths: ReadonlyArray<string>, options: { readonly unionByName?: boolean; readonly rowNumbers?: boolean } = {}): string => {
  const list = `[${paths.map(quoteLiteral).join(", ")}]`
  const extras = [
    options.unionByName === true ? "union_by_name = true" : undefined,
    options.rowNumbers === true ? "filename = true, file_row_number = true" : undefined
  ].filter((part) => part !== undefined)
  return `read_parquet(${list}${extras.length === 0 ? "" : `, ${extras.join(", ")}`})`
}
