/**
 * FlowSink: where a text-export parser puts its rows. It fills a FlowBatchBuilder row by row,
 * cuts a batch every `batchFlows` rows, and collects findings (one per malformed row up to a
 * cap, then a count; tallies per kind for skipped records), as SourceEvents to hand on.
 *
 * Holds: the row/batch bookkeeping shared by the flow-export sources, and resume handling
 * (batches before `firstBatch` are built but not emitted, nor are their row findings).
 * Does not hold: any format knowledge (the flow-export source plugins parse their own lines),
 * nor cell parsing (`values.ts`).
 */
import {
  COLUMN_BY_NAME,
  Finding,
  FlowBatchBuilder,
  type NumericColumn,
  type Severity,
  type SourceEvent,
  type ValueColumn
} from "@hashhound/core"

export interface SinkOptions {
  readonly pluginId: string
  /** unit id, named in findings */
  readonly capture: string
  /** catalogue columns every batch carries */
  readonly columns: ReadonlyArray<string>
  readonly batchFlows: number
  /** first batch index to emit (resume); earlier batches are skipped */
  readonly firstBatch: number
  /** malformed rows reported one by one before the rest are only counted */
  readonly maxRowFindings?: number
}

interface Tally {
  readonly code: string
  readonly severity: Severity
  readonly message: (key: string, count: number) => string
  readonly counts: Map<string, number>
}

export class FlowSink {
  /** rows emitted or skipped so far (all batches) */
  rowsTotal = 0
  /** index of the batch being filled */
  batchIndex = 0
  /** row being filled inside the current batch */
  row = 0
  /** bytes of input consumed, for progress */
  bytesRead = 0
  malformedRows = 0

  private builder: FlowBatchBuilder
  private numeric = new Map<string, NumericColumn>()
  private values = new Map<string, ValueColumn>()
  private events: Array<SourceEvent> = []
  private readonly tallies = new Map<string, Tally>()
  private readonly maxRowFindings: number

  constructor(private readonly options: SinkOptions) {
    this.maxRowFindings = options.maxRowFindings ?? 100
    this.builder = this.newBuilder()
  }

  private newBuilder(): FlowBatchBuilder {
    const builder = FlowBatchBuilder.forColumns(this.options.columns, Math.min(this.options.batchFlows, 4096))
    this.numeric = new Map()
    this.values = new Map()
    for (const name of this.options.columns) {
      const type = COLUMN_BY_NAME.get(name)?.type
      if (type === "int32" || type === "int64" || type === "float64") this.numeric.set(name, builder.numeric(name))
      else this.values.set(name, builder.value(name))
    }
    return builder
  }

  /** Set a numeric cell of the current row; null, undefined and NaN make it null. */
  num(name: string, value: number | null | undefined): void {
    const column = this.numeric.get(name)
    if (column === undefined) return
    if (value === null || value === undefined || Number.isNaN(value)) column.valid[this.row] = 0
    else {
      column.values[this.row] = value
      column.valid[this.row] = 1
    }
  }

  /** Set a string cell of the current row. */
  str(name: string, value: string | null | undefined): void {
    const column = this.values.get(name)
    if (column !== undefined) column.values[this.row] = value ?? null
  }

  /** Make room for the current row; call before setting its cells. */
  begin(): void {
    this.builder.ensureCapacity(this.row + 1)
  }

  /** Forget the cells set for the current row. */
  discard(): void {
    for (const column of this.numeric.values()) column.valid[this.row] = 0
    for (const column of this.values.values()) column.values[this.row] = null
  }

  /** The current row is complete. */
  commit(): void {
    this.row++
    this.rowsTotal++
    if (this.row >= this.options.batchFlows) this.flush()
  }

  private flush(): void {
    if (this.row === 0) return
    if (this.batchIndex >= this.options.firstBatch) {
      this.events.push({
        _tag: "Batch",
        index: this.batchIndex,
        batch: this.builder.finish(this.row),
        bytesRead: this.bytesRead
      })
    }
    this.batchIndex++
    this.row = 0
    this.builder = this.newBuilder()
  }

  /** A finding about the input as a whole (not tied to a skipped batch). */
  finding(code: string, severity: Severity, message: string, extra: { offset?: number; count?: number } = {}): void {
    this.events.push({
      _tag: "Finding",
      finding: new Finding({
        source: this.options.pluginId,
        code,
        severity,
        message,
        capture: this.options.capture,
        ...(extra.offset === undefined ? {} : { offset: extra.offset }),
        ...(extra.count === undefined ? {} : { count: extra.count })
      })
    })
  }

  /** A row that could not be read: reported with its line and byte offset; reading goes on. */
  malformed(line: number, offset: number, reason: string): void {
    this.malformedRows++
    if (this.batchIndex < this.options.firstBatch) return
    if (this.malformedRows > this.maxRowFindings) return
    this.events.push({
      _tag: "Finding",
      finding: new Finding({
        source: this.options.pluginId,
        code: "malformed_row",
        severity: "warn",
        message: `line ${line}: ${reason}`,
        capture: this.options.capture,
        offset,
        batch: this.batchIndex,
        count: 1
      })
    })
  }

  /** Count one occurrence of `key` under `code`; one finding per key is emitted at the end. */
  tally(code: string, key: string, severity: Severity, message: (key: string, count: number) => string): void {
    let tally = this.tallies.get(code)
    if (tally === undefined) {
      tally = { code, severity, message, counts: new Map() }
      this.tallies.set(code, tally)
    }
    tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1)
  }

  /** End of input: the last partial batch, the malformed-row overflow count and the tallies. */
  end(): void {
    this.flush()
    if (this.malformedRows > this.maxRowFindings) {
      const rest = this.malformedRows - this.maxRowFindings
      this.finding(
        "malformed_row",
        "warn",
        `${rest} more malformed row${rest === 1 ? "" : "s"} (only the first ${this.maxRowFindings} are listed one by one)`,
        { count: rest }
      )
    }
    for (const tally of this.tallies.values()) {
      for (const [key, count] of tally.counts) this.finding(tally.code, tally.severity, tally.message(key, count), { count })
    }
  }

  /** Events produced since the last call. */
  drain(): ReadonlyArray<SourceEvent> {
    const out = this.events
    this.events = []
    return out
  }
}
