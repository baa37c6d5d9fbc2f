/**
 * A tiny real source for testkit's own tests (`source.test-csv`: `src_ip,dst_ip,dst_port,fwd_packets`
 * lines, a bad line is a finding), and its deliberately broken variants, one flaw each.
 */
import { openSync } from "node:fs"
import { open, stat } from "node:fs/promises"
import { basename, resolve } from "node:path"
import {
  COLUMN_BY_NAME,
  definePlugin,
  Finding,
  FlowBatchBuilder,
  InputError,
  MAX_BATCH_ROWS,
  type ColumnSpec,
  type SourceEvent,
  type SourceUnit
} from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"

export type SourceFlaw =
  | "none"
  | "infinite"
  | "uninterruptible"
  | "leak"
  | "skip-index"
  | "unknown-column"
  | "wrong-type"
  | "huge-batch"
  | "foreign-finding"
  | "defects"
  | "nondeterministic"

const Config = Schema.Struct({
  paths: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  rows_per_batch: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, MAX_BATCH_ROWS)), { default: () => MAX_BATCH_ROWS })
})

const spec = (name: string): ColumnSpec => COLUMN_BY_NAME.get(name)!
const COLUMNS = ["src_ip", "dst_ip", "dst_port", "fwd_packets"]

interface Parsed {
  readonly rows: ReadonlyArray<readonly [string, string, number, number]>
  readonly bad: ReadonlyArray<{ readonly line: number; readonly offset: number }>
}

const parse = (text: string): Parsed => {
  const rows: Array<readonly [string, string, number, number]> = []
  const bad: Array<{ line: number; offset: number }> = []
  let offset = 0
  text.split("\n").forEach((line, index) => {
    const fields = line.split(",")
    const port = Number(fields[2])
    const packets = Number(fields[3])
    if (index > 0 && line !== "") {
      if (fields.length !== 4 || !Number.isInteger(port) || !Number.isFinite(packets)) bad.push({ line: index + 1, offset })
      else rows.push([fields[0]!, fields[1]!, port, packets])
    }
    offset += Buffer.byteLength(line) + 1
  })
  return { rows, bad }
}

export const makeTestSource = (flaw: SourceFlaw = "none") => {
  let reads = 0
  const id = "source.test-csv"
  const batchOf = (rows: Parsed["rows"]) => {
    const specs = flaw === "wrong-type" ? COLUMNS.map((n) => (n === "dst_port" ? { ...spec(n), type: "float64" as const } : spec(n))) : COLUMNS.map(spec)
    const extra = flaw === "unknown-column" ? [{ ...spec("fwd_bytes"), name: "mystery" }] : []
    const builder = new FlowBatchBuilder([...specs, ...extra], rows.length)
    rows.forEach(([src, dst, port, packets], row) => {
      builder.setValue("src_ip", row, src)
      builder.setValue("dst_ip", row, dst)
      builder.setNumber("dst_port", row, port)
      builder.setNumber("fwd_packets", row, packets)
      if (flaw === "unknown-column") builder.setNumber("mystery", row, 1)
    })
    return builder.finish(rows.length)
  }
  const events = (unit: SourceUnit, parsed: Parsed, perBatch: number): ReadonlyArray<SourceEvent> => {
    const out: Array<SourceEvent> = parsed.bad.map((bad) => ({
      _tag: "Finding" as const,
      finding:
        flaw === "foreign-finding"
          ? ({ source: "someone.else", code: "corrupt_record", severity: "warn", message: `line ${bad.line}` } as unknown as Finding)
          : new Finding({ source: id, code: "corrupt_record", severity: "warn", message: `line ${bad.line} is not 4 fields`, capture: unit.id, offset: bad.offset })
    }))
    const rows = flaw === "nondeterministic" ? parsed.rows.slice(0, Math.max(1, parsed.rows.length - reads)) : parsed.rows
    for (let start = 0, index = 0; start < rows.length; start += perBatch, index++)
      out.push({ _tag: "Batch", index: flaw === "skip-index" ? index * 2 : index, batch: batchOf(rows.slice(start, start + perBatch)) })
    if (flaw === "huge-batch") {
      const big = Array.from({ length: MAX_BATCH_ROWS + 1 }, () => ["10.0.0.1", "10.0.0.2", 1, 1] as const)
      out.push({ _tag: "Batch", index: out.filter((e) => e._tag === "Batch").length, batch: batchOf(big) })
    }
    return out
  }
  return definePlugin({
    id,
    kind: "source",
    version: "0.1.0",
    summary: "reads src_ip,dst_ip,dst_port,fwd_packets lines (testkit's own test source)",
    config: Config,
    provides: COLUMNS,
    make: (config) =>
      Effect.succeed({
        plan: (ctx) =>
          Effect.forEach(config.paths, (path) => {
            const absolute = resolve(ctx.baseDir, path)
            const stated =
              flaw === "defects"
                ? Effect.promise(() => stat(absolute))
                : Effect.tryPromise({ try: () => stat(absolute), catch: () => new InputError({ path: absolute, reason: "no such file" }) })
            return Effect.map(stated, (s): SourceUnit => ({ id: basename(absolute), path: absolute, fingerprint: `${s.size}-${s.mtimeMs}`, sizeBytes: s.size }))
          }),
        read: (unit) => {
          reads++
          const path = unit.path ?? ""
          if (flaw === "leak")
            return Stream.unwrap(
              Effect.sync(() => {
                openSync(path, "r")
                return Stream.fromIterable(events(unit, { rows: [["10.0.0.1", "10.0.0.2", 80, 1]], bad: [] }, 1))
              })
            )
          return Stream.unwrapScoped(
            Effect.gen(function* () {
              const handle = yield* Effect.acquireRelease(
                flaw === "defects"
                  ? Effect.promise(() => open(path, "r"))
                  : Effect.tryPromise({ try: () => open(path, "r"), catch: (e) => new InputError({ path, reason: String(e) }) }),
                (h) => Effect.promise(() => h.close())
              )
              const text = yield* Effect.tryPromise({ try: () => handle.readFile("utf8"), catch: (e) => new InputError({ path, reason: String(e) }) })
              const list = events(unit, parse(text), config.rows_per_batch)
              const body = Stream.fromIterable(list).pipe(Stream.tap(() => Effect.yieldNow()))
              if (flaw === "infinite") return Stream.concat(body, Stream.never)
              if (flaw === "uninterruptible")
                return Stream.concat(Stream.take(body, 1), Stream.fromEffect(Effect.uninterruptible(Effect.as(Effect.sleep("1500 millis"), list[0]!))))
              return body
            })
          )
        }
      })
  })
}

/** The CSV the good test source reads: 5 flows and one bad line. */
export const TEST_CSV = [
  "src_ip,dst_ip,dst_port,fwd_packets",
  "10.0.0.5,203.0.113.10,3333,40",
  "10.0.0.5,198.51.100.7,443,12",
  "not,a,row",
  "10.0.0.6,10.0.0.1,53,1",
  "10.0.0.7,192.0.2.1,80,3",
  "10.0.0.8,10.0.0.22,22,300",
  ""
].join("\n")
