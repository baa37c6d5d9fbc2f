/**
 * One export part as a file, and the messages between the part writer (`part-writer.ts`) and its
 * thread (`part-writer-worker.ts`): kept apart from both so that the thread loads the encoders
 * and nothing of the writer's side (no Effect, no Arrow, no worker start-up).
 *
 * Holds: `PartFormat`, `writePartFile` (Parquet by `parquet-writer.ts`, CSV and JSONL by
 * `text-writer.ts`), `PartRequest`, `PartDone` and `PartWriterReady`.
 * Does not hold: copying a batch for the thread, or the thread itself.
 */
import type { ColumnImage } from "./parquet-leaves.js"
import { writeParquetFile } from "./parquet-writer.js"
import { writeTextFile } from "./text-writer.js"

/** The file formats the part writer writes. */
export type PartFormat = "parquet" | "csv" | "jsonl"

export interface PartRequest {
  readonly id: number
  readonly path: string
  readonly format: PartFormat
  /** appended to the file (CSV and JSONL; a CSV without its header line) */
  readonly append: boolean
  readonly rows: number
  /** the columns, their buffers views of `buffer` */
  readonly columns: ReadonlyArray<ColumnImage>
  readonly buffer: ArrayBuffer
}

/** The answer to a part: written, or the reason; with the part's buffer given back for the next. */
export interface PartDone {
  readonly id: number
  readonly buffer: ArrayBuffer
  readonly error?: string
}

/** The worker's first message: its module is loaded and it takes parts. */
export interface PartWriterReady {
  readonly ready: true
}

/**
 * Write one part on the calling thread: `columns` (each `rows` long) to `path` as `format`, or,
 * for CSV and JSONL, appended to it. Throws what the file system throws.
 */
export const writePartFile = (path: string, format: PartFormat, columns: ReadonlyArray<ColumnImage>, rows: number, append: boolean): void =>
  format === "parquet" ? writeParquetFile(path, columns, rows) : writeTextFile(path, format, columns, rows, append)
