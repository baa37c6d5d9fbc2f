/**
 * Deterministic test plugins for runner tests (and the kill-test child process).
 *
 * Holds: `source.test-lines` (JSON-lines files as units; checkpoints = line number, so a resumed
 * read continues where it stopped), `source.test-replay` (same files, no checkpoints: always
 * replays from the start), two labelers, a QC check whose threshold can be made to fail, a QC
 * check that reports what its `finish` sees of the dataset (units, projected columns), a report
 * that lists the JSON artefacts it was given, a batch features group, an SQL features group and
 * a trivial model. Sources can append each emitted
 * batch to a log file and sleep per batch, and can be told to fail at a batch once (trip file).
 * Does not hold: assertions.
 */
import {
  definePlugin,
  finding,
  FlowBatchBuilder,
  PluginError,
  readNumeric,
  readStrings,
  type AnyPlugin,
  type Finding,
  type Label,
  type ReportStage,
  type SourceEvent,
  type SourceUnit
} from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { createHash } from "node:crypto"
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { basename, join, resolve } from "node:path"

export const FLOW_FIELDS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "first_seen_us",
  "last_seen_us",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes",
  "splt_len",
  "tls_sni",
  "label_raw"
] as const

const SourceConfig = Schema.Struct({
  paths: Schema.Array(Schema.String),
  batch_rows: Schema.optionalWith(Schema.Number, { default: () => 100 }),
  delay_ms: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  /** append `<plugin> <unit> <batch> <attempt>` per emitted batch */
  log: Schema.optional(Schema.String),
  /** fail with a PluginError before emitting this batch index while `trip_file` exists (then remove it) */
  fail_at_batch: Schema.optional(Schema.Number),
  trip_file: Schema.optional(Schema.String)
})
type SourceConfig = typeof SourceConfig.Type

const planUnits = (config: SourceConfig, baseDir: string): ReadonlyArray<SourceUnit> => {
  const files: Array<string> = []
  for (const pattern of config.paths) {
    const path = resolve(baseDir, pattern)
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (name.endsWith(".jsonl")) files.push(join(path, name))
    } else files.push(path)
  }
  return files.map((path) => {
    const bytes = readFileSync(path)
    return { id: basename(path), path, fingerprint: createHash("sha256").update(bytes).digest("hex"), sizeBytes: bytes.length }
  })
}

const toBatch = (rows: ReadonlyArray<Record<string, unknown>>) => {
  const builder = FlowBatchBuilder.forColumns([...FLOW_FIELDS], Math.max(1, rows.length))
  rows.forEach((row, index) => {
    for (const field of FLOW_FIELDS) {
      const value = row[field]
      if (field === "src_ip" || field === "dst_ip" || field === "tls_sni" || field === "label_raw") {
        builder.setValue(field, index, typeof value === "string" ? value : null)
      } else if (field === "splt_len") builder.setValue(field, index, Array.isArray(value) ? (value as Array<number>) : null)
      else builder.setNumber(field, index, typeof value === "number" ? value : null)
    }
  })
  return builder.finish(rows.length)
}

const u32 = (value: number): Uint8Array => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, true)
  return out
}

const makeSource = (id: string, checkpoints: boolean): AnyPlugin =>
  definePlugin({
    id,
    kind: "source",
    version: "1.0.0",
    summary: "JSON-lines flows for tests",
    config: SourceConfig,
    provides: [...FLOW_FIELDS],
    make: (config) =>
      Effect.succeed({
        plan: (ctx) =>
          Effect.try({
            try: () => planUnits(config, ctx.baseDir),
            catch: (error) => new PluginError({ pluginId: id, stage: "reading", reason: String(error) })
          }),
        read: (unit, _ctx, resume) => {
          const lines = readFileSync(unit.path!, "utf8").split("\n").filter((line) => line !== "")
          const restored = checkpoints && resume?.checkpoint !== undefined
          let line = restored ? new DataView(resume!.checkpoint!.buffer, resume!.checkpoint!.byteOffset).getUint32(0, true) : 0
          let index = restored ? resume!.nextBatch : 0
          const events: Array<SourceEvent> = []
          let rows: Array<Record<string, unknown>> = []
          let offset = 0
          for (let at = 0; at < line; at++) offset += lines[at]!.length + 1
          for (; line < lines.length; line++) {
            const text = lines[line]!
            try {
              rows.push(JSON.parse(text) as Record<string, unknown>)
            } catch {
              events.push({
                _tag: "Finding",
                finding: finding({ source: id, code: "corrupt_record", severity: "warn", message: `line ${line + 1} is not JSON`, offset })
              })
            }
            offset += text.length + 1
            if (rows.length === config.batch_rows) {
              events.push({ _tag: "Batch", index: index++, batch: toBatch(rows), bytesRead: offset, ...(checkpoints ? { checkpoint: u32(line + 1) } : {}) })
              rows = []
            }
          }
          if (rows.length > 0) events.push({ _tag: "Batch", index: index++, batch: toBatch(rows), bytesRead: offset, ...(checkpoints ? { checkpoint: u32(lines.length) } : {}) })
          events.push({ _tag: "Finding", finding: finding({ source: id, code: "end_of_unit", severity: "info", message: `${unit.id} read` }) })
          return Stream.fromIterable(events).pipe(
            Stream.tap((event) =>
              event._tag !== "Batch"
                ? Effect.void
                : Effect.gen(function* () {
                    if (config.fail_at_batch === event.index && config.trip_file !== undefined && existsSync(config.trip_file)) {
                      rmSync(config.trip_file)
                      return yield* new PluginError({ pluginId: id, stage: "reading", input: unit.id, reason: "tripped" })
                    }
                    if (config.delay_ms > 0) yield* Effect.sleep(config.delay_ms)
                    if (config.log !== undefined) {
                      appendFileSync(config.log, `${id} ${unit.id} ${event.index} ${process.env["HH_ATTEMPT"] ?? "0"}\n`)
                    }
                  })
            )
          )
        }
      })
  })

export const testLinesSource = makeSource("source.test-lines", true)
export const testReplaySource = makeSource("source.test-replay", false)

export const portLabeler = definePlugin({
  id: "labeler.test-port",
  kind: "labeler",
  version: "1.0.0",
  summary: "mining when the destination port is a pool port",
  config: Schema.Struct({ mining_ports: Schema.Array(Schema.Number) }),
  requires: ["dst_port"],
  make: (config) =>
    Effect.succeed({
      label: (batch) =>
        Effect.sync(() => {
          const ports = readNumeric(batch, "dst_port") ?? new Float64Array(batch.numRows).fill(Number.NaN)
          const label: Array<Label | null> = []
          const detail: Array<string | null> = []
          for (const port of ports) {
            const hit = config.mining_ports.includes(port)
            label.push(hit ? "mining" : null)
            detail.push(hit ? `pool port ${port}` : null)
          }
          return { label, detail }
        })
    })
})

export const rawLabeler = definePlugin({
  id: "labeler.test-raw",
  kind: "labeler",
  version: "1.0.0",
  summary: "the dataset's own label through a map",
  config: Schema.Struct({ map: Schema.Record({ key: Schema.String, value: Schema.Literal("mining", "benign", "unknown") }) }),
  requires: ["label_raw"],
  make: (config) =>
    Effect.succeed({
      label: (batch) =>
        Effect.sync(() => {
          const raw = readStrings(batch, "label_raw") ?? new Array<string | null>(batch.numRows).fill(null)
          return {
            label: raw.map((value) => (value === null ? null : (config.map[value] ?? null))),
            detail: raw.map((value) => (value === null ? null : `label_raw=${value}`))
          }
        })
    })
})

export const limitCheck = definePlugin({
  id: "qc.test-limit",
  kind: "qc",
  version: "1.0.0",
  summary: "a column's maximum against a threshold",
  config: Schema.Struct({
    column: Schema.String,
    max: Schema.Number,
    severity: Schema.optionalWith(Schema.Literal("warn", "fail"), { default: () => "fail" as const }),
    phase: Schema.optionalWith(Schema.Literal("flows", "labels"), { default: () => "flows" as const })
  }),
  make: (config) =>
    Effect.succeed({
      phase: config.phase,
      check: (batch, info) =>
        Effect.sync((): ReadonlyArray<Finding> => {
          const values = readNumeric(batch, config.column)
          if (values === undefined) return []
          let max = Number.NEGATIVE_INFINITY
          for (const value of values) if (value > max) max = value
          return max > config.max
            ? [
                finding({
                  source: "qc.test-limit",
                  code: "threshold",
                  severity: config.severity,
                  message: `${config.column} above ${config.max}`,
                  batch: info.batch,
                  metric: `max ${config.column}`,
                  value: max,
                  threshold: config.max
                })
              ]
            : []
        }),
      finish: (access, sourceFindings) =>
        Effect.gen(function* () {
          let rows = 0
          let labelled = 0
          yield* Stream.runForEach(access.read(access.dataset), (batch) =>
            Effect.sync(() => {
              rows += batch.numRows
              labelled += (readStrings(batch, "label") ?? []).filter((label) => label !== null).length
            })
          )
          return [
            finding({
              source: "qc.test-limit",
              code: "rows",
              severity: "info",
              message: `${rows} flows, ${labelled} labelled, ${sourceFindings.length} source findings`,
              value: rows
            })
          ]
        })
    })
})

/** Reports, in `finish`, the dataset's units and the columns a projected read gives back. */
export const accessCheck = definePlugin({
  id: "qc.test-access",
  kind: "qc",
  version: "1.0.0",
  summary: "what finish sees: units and a projected read",
  config: Schema.Struct({ columns: Schema.Array(Schema.String) }),
  make: (config) =>
    Effect.succeed({
      phase: "flows" as const,
      check: () => Effect.succeed([]),
      finish: (access) =>
        Effect.gen(function* () {
          const seen = new Set<string>()
          let rows = 0
          yield* Stream.runForEach(access.read(access.dataset, config.columns), (batch) =>
            Effect.sync(() => {
              rows += batch.numRows
              for (const field of batch.schema.fields) seen.add(field.name)
            })
          )
          const units = (access.units ?? []).map((unit) => `${unit.id}@${unit.fingerprint.slice(0, 8)}`)
          return [
            finding({ source: "qc.test-access", code: "columns", severity: "info", message: [...seen].join(","), value: rows }),
            finding({ source: "qc.test-access", code: "units", severity: units.length === 0 ? "warn" : "info", message: units.join(",") })
          ]
        })
    })
})

/** Writes `artefacts-<dataset>.json`: the JSON artefact keys it was given, and the flow count of each flow summary. */
export const artefactsReport = definePlugin({
  id: "report.test-artefacts",
  kind: "report",
  version: "1.0.0",
  summary: "lists the artefacts a report is given",
  config: Schema.Struct({}),
  make: () =>
    Effect.succeed<ReportStage>({
      render: (artifacts) =>
        Effect.sync(() =>
          artifacts.datasets.map((dataset) => {
            const summary = artifacts.json[`datasets/${dataset}/qc/flow-summary.json`] as { flows?: number } | undefined
            return {
              path: `reports/artefacts-${dataset}.json`,
              contents: JSON.stringify({ keys: Object.keys(artifacts.json).sort(), flows: summary?.flows ?? null })
            }
          })
        )
    })
})

export const volumeFeatures = definePlugin({
  id: "features.test-volume",
  kind: "features",
  version: "1.0.0",
  summary: "bytes totals and ratio",
  config: Schema.Struct({ ratio_offset: Schema.optionalWith(Schema.Number, { default: () => 1 }) }),
  requires: ["fwd_bytes", "bwd_bytes"],
  make: (config) =>
    Effect.succeed({
      features: [
        { name: "total_bytes", unit: "bytes", dtype: "float64" as const, description: "fwd + bwd bytes", requires: ["fwd_bytes", "bwd_bytes"] },
        { name: "bytes_ratio", unit: "", dtype: "float64" as const, description: "fwd / (bwd + offset)", requires: ["fwd_bytes", "bwd_bytes"] },
        { name: "init_win", unit: "bytes", dtype: "int32" as const, description: "a column no test source has", requires: ["fwd_init_win"] }
      ],
      computation: {
        _tag: "batch" as const,
        compute: (batch) =>
          batch.getChild("src_ip") !== null
            ? Effect.fail(new PluginError({ pluginId: "features.test-volume", stage: "processing", reason: "a guarded column reached a feature group" }))
            : Effect.sync(() => {
            const fwd = readNumeric(batch, "fwd_bytes")!
            const bwd = readNumeric(batch, "bwd_bytes")!
            const total = new Float64Array(batch.numRows)
            const ratio = new Float64Array(batch.numRows)
            for (let row = 0; row < batch.numRows; row++) {
              total[row] = fwd[row]! + bwd[row]!
              ratio[row] = fwd[row]! / (bwd[row]! + config.ratio_offset)
            }
            return { total_bytes: total, bytes_ratio: ratio, init_win: new Float64Array(batch.numRows) }
          })
      }
    })
})

export const fanInFeatures = definePlugin({
  id: "features.test-fanin",
  kind: "features",
  version: "1.0.0",
  summary: "flows per destination port in the dataset (SQL window)",
  config: Schema.Struct({}),
  requires: ["dst_port"],
  make: () =>
    Effect.succeed({
      features: [{ name: "port_flows", unit: "flows", dtype: "float64" as const, description: "flows to the same port", requires: ["dst_port"] }],
      computation: {
        _tag: "sql" as const,
        sql: (table: string) => `SELECT flow_id, COUNT(*) OVER (PARTITION BY dst_port) AS port_flows FROM ${table}`
      }
    })
})

interface MeanModel {
  readonly mid: ReadonlyArray<number>
  readonly scale: ReadonlyArray<number>
}

export const meanModel = definePlugin({
  id: "model.test-mean",
  kind: "model",
  version: "1.0.0",
  summary: "sum of standardised class-mean differences",
  config: Schema.Struct({ temperature: Schema.optionalWith(Schema.Number, { default: () => 1 }) }),
  make: (config) =>
    Effect.succeed({
      params: { temperature: config.temperature },
      fit: (x, y) =>
        Effect.sync((): MeanModel => {
          const mid: Array<number> = []
          const scale: Array<number> = []
          for (const column of x.columns) {
            let s1 = 0
            let n1 = 0
            let s0 = 0
            let n0 = 0
            column.forEach((value, row) => {
              if (Number.isNaN(value)) return
              if (y[row] === 1) (s1 += value), n1++
              else (s0 += value), n0++
            })
            const m1 = n1 === 0 ? 0 : s1 / n1
            const m0 = n0 === 0 ? 0 : s0 / n0
            mid.push((m1 + m0) / 2)
            scale.push(m1 - m0 === 0 ? 0 : 1 / (m1 - m0))
          }
          return { mid, scale }
        }),
      predictProba: (fitted, x) =>
        Effect.sync(() => {
          const model = fitted as MeanModel
          const out = new Float64Array(x.rows)
          for (let row = 0; row < x.rows; row++) {
            let sum = 0
            x.columns.forEach((column, index) => {
              const value = column[row]!
              if (!Number.isNaN(value)) sum += (value - model.mid[index]!) * model.scale[index]!
            })
            out[row] = 1 / (1 + Math.exp(-sum / config.temperature))
          }
          return out
        }),
      save: (fitted) => Effect.sync(() => new TextEncoder().encode(JSON.stringify(fitted))),
      load: (bytes) => Effect.sync(() => JSON.parse(new TextDecoder().decode(bytes)) as MeanModel)
    })
})

export const testPlugins: ReadonlyArray<AnyPlugin> = [
  testLinesSource,
  testReplaySource,
  portLabeler,
  rawLabeler,
  limitCheck,
  accessCheck,
  artefactsReport,
  volumeFeatures,
  fanInFeatures,
  meanModel
]
