/**
 * Inputs and pipeline specs for runner tests: JSON-lines unit files written to a temp folder
 * from a seed, and a PipelineSpec builder over the test plugins.
 *
 * Holds: `writeUnit` (flows: mining to port 3333 with label_raw MINER, benign to 443 with
 * BENIGN, others to 8080 with OTHER; optional garbage lines that sources report as findings),
 * `testSpec`, and `testLayer` (registry of test plugins + DuckDB storage + a progress sink).
 * Does not hold: assertions.
 */
import { registryLayer } from "@hashhound/core"
import { Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import type { DatasetSpec, PipelineSpec, ProgressEvent, StageEntry } from "../../../src/spec.js"
import { Progress } from "../../../src/spec.js"
import { StorageLive } from "../../../src/storage/index.js"
import { testPlugins } from "./plugins.js"

const rng = (seed: number) => {
  let state = (seed * 2654435761) >>> 0 || 1
  return (): number => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}

/** Write `flows` JSON lines (and a garbage line every `garbageEvery` lines) to `path`. */
export const writeUnit = (path: string, seed: number, flows: number, garbageEvery = 0): void => {
  const random = rng(seed)
  const lines: Array<string> = []
  for (let i = 0; i < flows; i++) {
    if (garbageEvery > 0 && i > 0 && i % garbageEvery === 0) lines.push(`{garbage ${i}`)
    const kind = random()
    const mining = kind < 0.3
    const benign = !mining && kind < 0.8
    const first = 1_700_000_000_000_000 + i * 1_000_000 + Math.floor(random() * 1000)
    const fwd = mining ? 200 + Math.floor(random() * 100) : 1000 + Math.floor(random() * 50_000)
    const bwd = mining ? 150 + Math.floor(random() * 100) : 5000 + Math.floor(random() * 500_000)
    lines.push(
      JSON.stringify({
        src_ip: `10.0.${seed % 250}.${1 + Math.floor(random() * 250)}`,
        dst_ip: mining ? "203.0.113.7" : `198.51.100.${1 + Math.floor(random() * 250)}`,
        src_port: 40000 + Math.floor(random() * 20000),
        dst_port: mining ? 3333 : benign ? 443 : 8080,
        protocol: 6,
        first_seen_us: first,
        last_seen_us: first + Math.floor(random() * 60_000_000),
        fwd_packets: 2 + Math.floor(random() * 40),
        bwd_packets: 2 + Math.floor(random() * 40),
        fwd_bytes: fwd,
        bwd_bytes: bwd,
        splt_len: Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * 3000) - 1500),
        tls_sni: benign ? `svc${i % 7}.example.org` : null,
        label_raw: mining ? "MINER" : benign ? "BENIGN" : "OTHER"
      })
    )
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${lines.join("\n")}\n`)
}

export const entry = (path: string, type: string, raw: Record<string, unknown> = {}): StageEntry => ({ type, raw, path })

export interface TestDataset {
  readonly name: string
  readonly source: string
  readonly paths: ReadonlyArray<string>
  readonly sourceOptions?: Record<string, unknown>
  readonly labels?: ReadonlyArray<{ readonly type: string; readonly raw: Record<string, unknown> }>
}

export const defaultLabels = [
  { type: "labeler.test-port", raw: { mining_ports: [3333] } },
  { type: "labeler.test-raw", raw: { map: { MINER: "mining", BENIGN: "benign" } } }
]

export const testSpec = (options: {
  readonly baseDir: string
  readonly output: string
  readonly datasets: ReadonlyArray<TestDataset>
  readonly qc?: ReadonlyArray<Record<string, unknown>>
  readonly features?: ReadonlyArray<Record<string, unknown>>
  readonly models?: ReadonlyArray<Record<string, unknown>>
  readonly reports?: ReadonlyArray<Record<string, unknown>>
  readonly train?: ReadonlyArray<string>
  readonly test?: ReadonlyArray<string>
  readonly unitConcurrency?: number
  readonly datasetConcurrency?: number
}): PipelineSpec => {
  const datasets: ReadonlyArray<DatasetSpec> = options.datasets.map((dataset) => ({
    name: dataset.name,
    source: entry(`datasets.${dataset.name}.source`, dataset.source, { paths: [...dataset.paths], batch_rows: 50, ...dataset.sourceOptions }),
    labels: (dataset.labels ?? defaultLabels).map((labeler, index) => entry(`datasets.${dataset.name}.labels.${index}`, labeler.type, labeler.raw))
  }))
  const split = (list: ReadonlyArray<Record<string, unknown>>, prefix: string) =>
    list.map((item, index) => {
      const { type, ...raw } = item
      return entry(`${prefix}.${index}`, String(type), raw)
    })
  return {
    name: "test-run",
    baseDir: options.baseDir,
    output: options.output,
    plugins: [],
    datasets,
    qc: split(options.qc ?? [{ type: "qc.test-limit", column: "fwd_packets", max: 1000, severity: "warn" }], "qc"),
    features: split(options.features ?? [{ type: "features.test-volume" }, { type: "features.test-fanin" }], "features"),
    models: split(options.models ?? [{ type: "model.test-mean" }], "models"),
    reports: split(options.reports ?? [], "reports"),
    ...(options.train === undefined ? {} : { evaluation: { train: options.train, test: options.test ?? [], target_fpr: [0.01] } }),
    options: {
      dataset_concurrency: options.datasetConcurrency ?? 2,
      unit_concurrency: options.unitConcurrency ?? 2,
      label_skew_s: 0,
      allow_guarded_columns: []
    }
  }
}

/** Registry of the test plugins, one DuckDB, and a progress sink that keeps every event. */
export const testLayer = (events: Array<ProgressEvent> = []) =>
  Layer.mergeAll(
    registryLayer([{ source: "test", plugins: testPlugins }]),
    StorageLive({ threads: 2 }),
    Layer.succeed(Progress, { emit: (event: ProgressEvent) => Effect.sync(() => void events.push(event)) })
  )
