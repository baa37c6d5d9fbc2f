/**
 * StorageError: a file or DuckDB operation of the run's storage failed.
 *
 * Holds: the one typed error of `storage/` (operation, path, reason).
 * Does not hold: bad records (findings) or plugin failures (core's PluginError).
 */
import { Schema } from "effect"

export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  /** what was being done: `write parquet`, `read parquet`, `rename`, `query` … */
  operation: Schema.String,
  path: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `storage: ${this.operation}${this.path === undefined ? "" : ` ${this.path}`} failed: ${this.reason}`
  }
}

/** The message of anything caught at a Promise edge. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
