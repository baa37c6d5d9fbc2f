/**
 * Export parts (Parquet or CSV) written on a thread of their own, so that encoding a batch runs
 * on the second core while the flow meter goes on with the next (the work DuckDB's pool thread
 * used to do for the flows export).
 *
 * Holds: `columnImage` (a stored column as the writer reads it, no copy) and `PartWriter` (one
 * worker thread, started by `start` or on the first part; `write` copies the batch's column
 * buffers into one buffer of the part and moves it to the worker, so the batch's buffers can be
 * reused at once, and the worker gives it back for a later part; until the thread has loaded
 * its module, parts are written on the calling thread instead; `close` ends the thread).
 * Does not hold: the messages and the formats (see `part-files.ts`) or joining the parts (see
 * `parquet-concat.ts`, `text-parts.ts`). A worker that dies fails every part it held with the reason.
 */
import { Worker } from "node:worker_threads"
import type { ColumnType } from "@hashhound/core"
import { workerBootstrap, workerEntry } from "@hashhound/ml"
import type { StoredColumn } from "./column-kinds.js"
import type { ColumnImage, Piece } from "./parquet-leaves.js"
import { writePartFile, type PartDone, type PartFormat, type PartRequest, type PartWriterReady } from "./part-files.js"

/** The worker's young generation: its garbage is a part's pages, a few MB, and goes at once. */
const YOUNG_MB = 4

/** The worker, through the shared bootstrap (tsx's hooks first when it runs from TypeScript sources). */
const startWorker = (): Worker =>
  new Worker(workerBootstrap, {
    workerData: { entry: workerEntry(import.meta.url, "part-writer-worker") },
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB }
  })

type Bytes = Int32Array | BigInt64Array | Float64Array | Uint8Array

/** Where copies of a part's buffers go: measured first (`buffer` undefined), then placed. */
interface Placement {
  buffer: ArrayBuffer | undefined
  at: number
}

/** `array`'s first `length` elements copied into the placement (8-aligned), or only counted. */
const place = <T extends Bytes>(placement: Placement, array: T | null | undefined, length: number): T | undefined => {
  if (array === null || array === undefined) return undefined
  const count = Math.min(length, array.length)
  const bytes = (count * array.BYTES_PER_ELEMENT + 7) & ~7
  const at = placement.at
  placement.at += bytes
  if (placement.buffer === undefined) return undefined
  const copy = new (array.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => T)(placement.buffer, at, count)
  copy.set(array.subarray(0, count) as never)
  return copy
}

/**
 * A piece's buffers as a column of `kind` reads them (values and offsets from its first row,
 * bitmaps whole up to its end), copied into the placement.
 */
const imageOf = (piece: Piece, kind: ColumnType, placement: Placement): Piece => {
  const bitmapBytes = (piece.offset + piece.length + 7) >> 3
  const list = kind === "list_int32" || kind === "list_float64"
  const values = list ? 0 : kind === "utf8" ? (piece.valueOffsets?.[piece.length] ?? 0) : kind === "bool" ? bitmapBytes : piece.length
  return {
    length: piece.length,
    offset: piece.offset,
    nullCount: piece.nullCount,
    nullBitmap: piece.nullCount > 0 ? place(placement, piece.nullBitmap, bitmapBytes) : undefined,
    values: list ? undefined : place(placement, piece.values, values),
    valueOffsets: list || kind === "utf8" ? place(placement, piece.valueOffsets, piece.length + 1) : undefined,
    children: list ? [imageOf(piece.children[0]!, kind === "list_int32" ? "int32" : "float64", placement)] : []
  }
}

const imagesOf = (columns: ReadonlyArray<StoredColumn>, placement: Placement): Array<ColumnImage> =>
  columns.map((column) => ({
    name: column.name,
    kind: column.kind,
    pieces: column.vector === null ? null : (column.vector.data as ReadonlyArray<Piece>).map((piece) => imageOf(piece, column.kind, placement))
  }))

/** Part buffers kept for reuse (one per part in flight). */
const SPARE_BUFFERS = 2

/** A stored column as the writer reads it, in place (this thread's own writes, and tests). */
export const columnImage = (column: StoredColumn): ColumnImage => ({
  name: column.name,
  kind: column.kind,
  pieces: column.vector === null ? null : (column.vector.data as ReadonlyArray<Piece>)
})

export class PartWriter {
  private worker: Worker | undefined
  private ready = false
  private readonly readyWaiters: Array<() => void> = []
  private lastId = 0
  private readonly waiting = new Map<number, { readonly resolve: () => void; readonly reject: (error: Error) => void }>()
  private readonly spare: Array<ArrayBuffer> = []
  /** parts written on the calling thread (the thread was not ready yet) and by the thread */
  readonly written = { here: 0, thread: 0 }

  /**
   * Start the thread now (loading its module takes 50-100 ms), so that it is ready when the
   * first part comes; the promise settles when it is ready (never, if it fails to start:
   * parts are then written here).
   */
  start(): Promise<void> {
    this.started()
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = startWorker()
    worker.on("message", (message: PartDone | PartWriterReady) => {
      if ("ready" in message) {
        this.ready = true
        for (const resolve of this.readyWaiters.splice(0)) resolve()
        return
      }
      const done = message
      if (this.spare.length < SPARE_BUFFERS) this.spare.push(done.buffer)
      const waiter = this.waiting.get(done.id)
      this.waiting.delete(done.id)
      if (done.error === undefined) waiter?.resolve()
      else waiter?.reject(new Error(done.error))
    })
    const failAll = (reason: string): void => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`the export part writer stopped: ${reason}`))
      this.waiting.clear()
      this.worker = undefined
      this.ready = false
    }
    worker.on("error", (error) => failAll(error.message))
    worker.on("exit", (code) => failAll(`exit code ${code}`))
    this.worker = worker
    return worker
  }

  /**
   * A part written on this thread, as the worker would write it: while the thread is still
   * loading, a small export (a few parts) is done before the thread could take its first part.
   */
  private writeHere(path: string, format: PartFormat, append: boolean, columns: ReadonlyArray<StoredColumn>, rows: number): Promise<void> {
    this.written.here++
    try {
      writePartFile(path, format, columns.map(columnImage), rows, append)
      return Promise.resolve()
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /**
   * Write `columns` (each `rows` long) to `path` as `format` (appended, for CSV and JSONL, with
   * `append`); parts are written in the order they are given. Their buffers are copied into one
   * buffer that moves to the worker and comes back with its answer, to be used again: the
   * batch's own buffers are free again when this returns.
   */
  write(path: string, columns: ReadonlyArray<StoredColumn>, rows: number, format: PartFormat = "parquet", append = false): Promise<void> {
    const worker = this.started()
    if (!this.ready) return this.writeHere(path, format, append, columns, rows)
    this.written.thread++
    const measure: Placement = { buffer: undefined, at: 0 }
    imagesOf(columns, measure)
    const index = this.spare.findIndex((buffer) => buffer.byteLength >= measure.at)
    const buffer = index >= 0 ? this.spare.splice(index, 1)[0]! : new ArrayBuffer(Math.ceil(measure.at * 1.25) + 8)
    const images = imagesOf(columns, { buffer, at: 0 })
    const id = ++this.lastId
    const request: PartRequest = { id, path, format, append, rows, columns: images, buffer }
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      worker.postMessage(request, [buffer])
    })
  }

  /** End the thread (parts not answered yet fail). */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.ready = false
    if (worker !== undefined) await worker.terminate()
  }
}
