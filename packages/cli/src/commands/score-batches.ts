/**
 * `hashhound score`'s streaming part: one stored flow batch at a time, read back, scored and
 * turned into alerts, so memory holds one batch (its keys, features, scores and alerts), never
 * the whole input.
 *
 * Holds: `readScoringBatch` (a batch's flow keys and the card's features from the scoring run's
 * parquet parts, features in card order, NaN where a group lacks one), `scoreBatch` (scores,
 * rows at or above the threshold, highest score first, the top features of each, the alert
 * records) and `openAlertSink` (JSONL or CSV to a file or stdout, written as alerts come: the
 * CSV header first, then each batch's lines).
 * Does not hold: running the scoring pipeline or choosing the threshold (`score.ts`), the alert
 * and attribution helpers (`@hashhound/pipeline` evaluation).
 */
import { InputError, readNumeric, readStrings, type FeatureMatrix, type ModelStage, type PluginError } from "@hashhound/core"
import {
  alertRecord,
  alertRows,
  attributeScores,
  csvHeader,
  quoteLiteral,
  toCsvRows,
  toJsonl,
  type Alert,
  type DatasetLayout,
  type FlowKeys,
  type ModelCardJson,
  type StorageApi,
  type StorageError
} from "@hashhound/pipeline"
import { Effect } from "effect"
import { closeSync, openSync, writeSync } from "node:fs"

const KEY_COLUMNS = ["flow_id", "capture", "src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "last_seen_us"] as const
const TEXT_KEYS = ["flow_id", "capture", "src_ip", "dst_ip"] as const
const NUMERIC_KEYS = ["src_port", "dst_port", "protocol", "first_seen_us", "last_seen_us"] as const

export interface ScoringBatch {
  readonly keys: FlowKeys
  readonly matrix: FeatureMatrix
}

/** Feature folder names of the card's groups, as the pipeline names them (`type`, `type-2`, …). */
export const groupDirs = (types: ReadonlyArray<string>): ReadonlyArray<string> => {
  const seen = new Map<string, number>()
  return types.map((type) => {
    const count = (seen.get(type) ?? 0) + 1
    seen.set(type, count)
    return count === 1 ? type : `${type}-${count}`
  })
}

/** Flow keys and the card's features of batch `index` of unit `unit`. */
export const readScoringBatch = (
  storage: StorageApi,
  layout: DatasetLayout,
  unit: number,
  index: number,
  rows: number,
  dirs: ReadonlyArray<string>,
  features: ReadonlyArray<string>
): Effect.Effect<ScoringBatch, StorageError> =>
  Effect.gen(function* () {
    const keys = yield* storage.query(
      `SELECT COLUMNS(lambda c: c IN (${KEY_COLUMNS.map(quoteLiteral).join(", ")})) FROM read_parquet(${quoteLiteral(layout.flowsPart(unit, index))})`
    )
    const text = (name: (typeof TEXT_KEYS)[number]) => readStrings(keys, name) ?? new Array<string | null>(rows).fill(null)
    const numeric = (name: (typeof NUMERIC_KEYS)[number]) => readNumeric(keys, name) ?? new Float64Array(rows).fill(Number.NaN)
    const found = new Map<string, Float64Array>()
    for (const dir of dirs) {
      const part = yield* storage.readParquet(layout.featuresPart(dir, unit, index))
      for (const field of part.schema.fields) {
        if (field.name === "flow_id") continue
        const values = readNumeric(part, field.name)
        if (values !== undefined) found.set(field.name, values)
      }
    }
    return {
      keys: {
        flowId: text("flow_id"),
        capture: text("capture"),
        srcIp: text("src_ip"),
        dstIp: text("dst_ip"),
        srcPort: numeric("src_port"),
        dstPort: numeric("dst_port"),
        protocol: numeric("protocol"),
        firstSeenUs: numeric("first_seen_us"),
        lastSeenUs: numeric("last_seen_us")
      },
      matrix: { names: features, rows, columns: features.map((name) => found.get(name) ?? new Float64Array(rows).fill(Number.NaN)) }
    }
  })

export interface Attribution {
  readonly order: ReadonlyArray<string>
  readonly candidates: number
  readonly top: number
}

/** The batch's alerts: rows scoring at least `threshold`, highest first, with their top features. */
export const scoreBatch = (
  stage: ModelStage,
  fitted: unknown,
  card: ModelCardJson,
  batch: ScoringBatch,
  threshold: number,
  attribution: Attribution
): Effect.Effect<ReadonlyArray<Alert>, PluginError> =>
  Effect.gen(function* () {
    const { matrix, keys } = batch
    if (matrix.rows === 0) return []
    const scores = yield* stage.predictProba(fitted, matrix)
    const rows = alertRows(scores, threshold)
    if (rows.length === 0) return []
    const alertMatrix: FeatureMatrix = { names: matrix.names, rows: rows.length, columns: matrix.columns.map((column) => Float64Array.from(rows, (row) => column[row]!)) }
    const alertScores = Float64Array.from(rows, (row) => scores[row]!)
    const contributions = yield* attributeScores(stage, fitted, alertMatrix, alertScores, card.feature_medians, attribution.order, {
      candidates: attribution.candidates,
      top: attribution.top
    })
    return rows.map((row, i) => alertRecord(keys, row, scores[row]!, threshold, card.name, contributions[i] ?? []))
  })

export interface AlertSink {
  readonly write: (alerts: ReadonlyArray<Alert>) => Effect.Effect<void, InputError>
}

/** All of `text` to an open file (writeSync may write less than asked). */
const writeAll = (fd: number, text: string): void => {
  const bytes = Buffer.from(text, "utf8")
  let offset = 0
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset)
}

/** `text` to stdout, resuming when the stream has taken it (so a slow reader holds back scoring). */
const writeStdout = (text: string) =>
  Effect.async<void, InputError>((resume) => {
    process.stdout.write(text, (error) => resume(error ? Effect.fail(new InputError({ path: "stdout", reason: `cannot write: ${String(error)}` })) : Effect.void))
  })

/** Alerts to `path` (created or truncated now) or stdout; the file is closed when the scope closes. */
export const openAlertSink = (path: string | undefined, format: "jsonl" | "csv", topK: number) =>
  Effect.gen(function* () {
    const fd =
      path === undefined
        ? undefined
        : yield* Effect.acquireRelease(
            Effect.try({ try: () => openSync(path, "w"), catch: (error) => new InputError({ path, reason: `cannot write: ${String(error)}` }) }),
            (opened) => Effect.sync(() => closeSync(opened))
          )
    const put = (text: string): Effect.Effect<void, InputError> =>
      text === ""
        ? Effect.void
        : fd === undefined
          ? writeStdout(text)
          : Effect.try({ try: () => writeAll(fd, text), catch: (error) => new InputError({ path: path ?? "", reason: `cannot write: ${String(error)}` }) })
    if (format === "csv") yield* put(csvHeader(topK))
    const sink: AlertSink = { write: (alerts) => put(format === "csv" ? toCsvRows(alerts, topK) : toJsonl(alerts)) }
    return sink
  })
