/**
 * Storage: DuckDB as a scoped service, FlowBatch ↔ Parquet/CSV/JSONL, atomic files.
 *
 * Holds: re-exports only.
 * Does not hold: the run (see `run/`).
 */
export * from "./errors.js"
export * from "./files.js"
export * from "./storage.js"
export { kindOfArrow, quoteIdent, quoteLiteral, sqlTypeOf, storedColumns, type StoredColumn } from "./column-kinds.js"
export { parquetSource, type FileFormat } from "./copy-sql.js"
