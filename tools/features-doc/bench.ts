/**
 * `npx tsx tools/features-doc/bench.ts [rows] [repeats]`: flows per second of each per-batch
 * feature group on one batch of MAX_BATCH_ROWS (65 536) synthetic flows with every catalogue
 * column filled (early-packet lists of 20), plus the time spent in core's `readNumeric`. Each
 * figure is the best of `repeats` runs (the machine is shared; the best run is the least disturbed).
 *
 * Holds: the batch maker (seeded, deterministic) and the timing loop. Short by design (a few
 * seconds on a laptop core); not part of the test suite.
 * Does not hold: the SQL group (its cost is DuckDB's; see features.host-pair).
 */
import { FLOW_COLUMNS, FlowBatchBuilder, MAX_BATCH_ROWS, readNumeric, type FlowBatch, type Plugin } from "@hashhound/core"
import { Effect } from "effect"
import { FEATURE_PLUGINS } from "./feature-plugins.js"

const rows = Number(process.argv[2] ?? MAX_BATCH_ROWS)
const repeats = Number(process.argv[3] ?? 5)

/** xorshift32, so every run builds the same batch. */
const random = (() => {
  let state = 0x9e3779b9
  return (): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
})()

const makeBatch = (n: number): FlowBatch => {
  const specs = FLOW_COLUMNS.filter((column) => !["utf8", "bool"].includes(column.type))
  const builder = new FlowBatchBuilder(specs, n)
  for (let row = 0; row < n; row++) {
    for (const spec of specs) {
      if (spec.type === "list_int32") {
        builder.setValue(spec.name, row, Array.from({ length: 20 }, () => Math.round((random() - 0.5) * 3000)))
      } else if (spec.type === "list_float64") {
        builder.setValue(spec.name, row, Array.from({ length: 20 }, (_, i) => (i === 0 ? 0 : random() * 100)))
      } else if (spec.name === "protocol") builder.setNumber(spec.name, row, random() < 0.8 ? 6 : 17)
      else builder.setNumber(spec.name, row, Math.round(random() * 65535))
    }
  }
  return builder.finish(n)
}

const program = Effect.gen(function* () {
  const batch = makeBatch(rows)
  const numeric = FLOW_COLUMNS.filter((column) => ["int32", "int64", "float64"].includes(column.type))
  let start = performance.now()
  for (const column of numeric) readNumeric(batch, column.name)
  const perColumnMs = (performance.now() - start) / numeric.length
  console.log(`${rows} flows; core readNumeric: ${perColumnMs.toFixed(2)} ms per column`)
  for (const { plugin } of FEATURE_PLUGINS) {
    if (plugin.kind !== "features") continue
    const stage = yield* (plugin as Plugin<"features">).make({})
    if (stage.computation._tag !== "batch") continue
    yield* stage.computation.compute(batch) // warm-up
    let ms = Number.POSITIVE_INFINITY
    for (let i = 0; i < repeats; i++) {
      start = performance.now()
      yield* stage.computation.compute(batch)
      ms = Math.min(ms, performance.now() - start)
    }
    console.log(`${plugin.id.padEnd(20)} ${String(stage.features.length).padStart(3)} features  ${ms.toFixed(1).padStart(7)} ms/batch  ${Math.round((rows / ms) * 1000).toLocaleString("en").padStart(12)} flows/s`)
  }
})

Effect.runPromise(program).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 1
})
