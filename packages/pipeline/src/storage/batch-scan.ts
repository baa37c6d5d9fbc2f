/**
 * A FlowBatch read by SQL where it lies: the table function `hh_batch(id)` hands DuckDB the
 * rows of a lent batch chunk by chunk, each chunk filled straight from the Arrow buffers, so
 * writing a batch to a file is one COPY, with no copy of the batch into a table first.
 *
 * Holds: `BatchScans` (one per DuckDB instance): `register` (makes `hh_batch` callable; the
 * function lives in the instance's catalogue, so once per instance is enough) and `lend`
 * (a batch's stored columns readable as `hh_batch(<id>)` for as long as a query runs).
 * Does not hold: choosing columns or kinds (see `column-kinds.ts`), filling vectors (see
 * `arrow-to-duckdb.ts`) or files.
 *
 * Threads: DuckDB runs a query on a libuv pool thread and calls the bind, init and scan
 * callbacks on the JavaScript thread, waiting for each. A query over a lent batch must be
 * awaited from JavaScript, as every query here is; the JavaScript thread must not block on it.
 * A scan is single-threaded (no local init), so chunks come in row order.
 */
import { BIGINT, BOOLEAN, DuckDBTableFunction, type DuckDBConnection } from "@duckdb/node-api"
import { CHUNK_ROWS, fillChunk, makeScratch, type Scratch } from "./arrow-to-duckdb.js"
import type { StoredColumn } from "./column-kinds.js"
import { duckTypeOf } from "./duck-types.js"

/** A batch while it is lent: its stored columns and row count. */
interface Lent {
  readonly columns: ReadonlyArray<StoredColumn>
  readonly rows: number
}

/** Where one scan of a lent batch has got to. */
interface ScanState {
  next: number
  readonly scratch: Scratch
}

export const BATCH_FUNCTION = "hh_batch"
/** The one column a batch without columns is read as (every cell null, no rows). */
const EMPTY_COLUMN = "hh_empty"

export class BatchScans {
  private readonly lent = new Map<number, Lent>()
  private lastId = 0
  private registered = false
  private readonly fn = DuckDBTableFunction.create({
    name: BATCH_FUNCTION,
    parameterTypes: [BIGINT],
    bindFunction: (info) => {
      const id = Number(info.getParameter(0))
      const batch = this.lent.get(id)
      if (batch === undefined) return info.setError(`${BATCH_FUNCTION}(${id}): no batch is lent under this id`)
      if (batch.columns.length === 0) info.addResultColumn(EMPTY_COLUMN, BOOLEAN)
      for (const column of batch.columns) info.addResultColumn(column.name, duckTypeOf(column.kind))
      info.setCardinality(batch.columns.length === 0 ? 0 : batch.rows, true)
      info.setBindData(batch)
    },
    initFunction: (info) => info.setInitData({ next: 0, scratch: makeScratch() } satisfies ScanState),
    mainFunction: (info, output) => {
      const batch = info.bindData as Lent
      const state = info.initData as ScanState
      const count = batch.columns.length === 0 ? 0 : Math.min(CHUNK_ROWS, batch.rows - state.next)
      if (count <= 0) {
        output.rowCount = 0
        return
      }
      fillChunk(output, batch.columns, state.next, count, state.scratch)
      state.next += count
    }
  })

  /** Make `hh_batch` callable in this connection's instance (a no-op after the first time). */
  register(connection: DuckDBConnection): void {
    if (this.registered) return
    connection.registerTableFunction(this.fn)
    this.registered = true
  }

  /**
   * Run `use` with the columns readable as the SQL table source it is given
   * (`hh_batch(<id>)`); the batch is given back when `use` settles.
   */
  async lend<A>(columns: ReadonlyArray<StoredColumn>, rows: number, use: (source: string) => Promise<A>): Promise<A> {
    const id = ++this.lastId
    this.lent.set(id, { columns, rows })
    try {
      return await use(`${BATCH_FUNCTION}(${id})`)
    } finally {
      this.lent.delete(id)
    }
  }
}
