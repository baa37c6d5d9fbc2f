/**
 * Tiny real QC, labeler, features (batch and SQL) and report plugins for testkit's own tests,
 * each with deliberately broken variants (one flaw each).
 */
import { definePlugin, Finding, readNumeric, type FeatureSpec, type Label } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"

// ---------------------------------------------------------------- qc

export type QcFlaw = "none" | "plain-findings" | "foreign-source" | "bad-phase" | "dies-on-empty" | "requires-unknown"

export const makeTestQc = (flaw: QcFlaw = "none") =>
  definePlugin({
    id: "qc.test-min-rows",
    kind: "qc",
    version: "0.1.0",
    summary: "warns when a batch or a dataset has fewer rows than min_rows",
    config: Schema.Struct({ min_rows: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 1 }) }),
    requires: flaw === "requires-unknown" ? ["no_such_column"] : [],
    make: (config) =>
      Effect.succeed({
        phase: flaw === "bad-phase" ? ("bogus" as "flows") : "flows",
        check: (batch, info) => {
          if (flaw === "dies-on-empty" && batch.numRows === 0) return Effect.die(new Error("empty batch"))
          if (batch.numRows >= config.min_rows) return Effect.succeed([])
          const fields = { source: flaw === "foreign-source" ? "qc.other" : "qc.test-min-rows", code: "threshold", severity: "warn" as const, message: `${batch.numRows} rows`, batch: info.batch }
          return Effect.succeed([flaw === "plain-findings" ? (fields as unknown as Finding) : new Finding(fields)])
        },
        finish: (access) =>
          Effect.map(Stream.runFold(access.read(access.dataset), 0, (rows, batch) => rows + batch.numRows), (rows) =>
            rows >= config.min_rows
              ? []
              : [new Finding({ source: flaw === "foreign-source" ? "qc.other" : "qc.test-min-rows", code: "threshold", severity: "warn", message: `${rows} rows in the dataset`, value: rows, threshold: config.min_rows })]
          )
      })
  })

// ---------------------------------------------------------------- labeler

export type LabelerFlaw = "none" | "short" | "bad-label" | "dies-without-column"

export const makeTestLabeler = (flaw: LabelerFlaw = "none") =>
  definePlugin({
    id: "labeler.test-ports",
    kind: "labeler",
    version: "0.1.0",
    summary: "labels flows to listed dst_port values",
    config: Schema.Struct({ ports: Schema.Array(Schema.Int), label: Schema.optionalWith(Schema.Literal("mining", "benign", "unknown"), { default: () => "mining" as const }) }),
    requires: ["dst_port"],
    make: (config) =>
      Effect.succeed({
        label: (batch) =>
          Effect.suspend(() => {
            const ports = readNumeric(batch, "dst_port")
            if (ports === undefined && flaw !== "dies-without-column") return Effect.succeed({ label: new Array<Label | null>(batch.numRows).fill(null), detail: new Array<string | null>(batch.numRows).fill(null) })
            const label: Array<Label | null> = []
            const detail: Array<string | null> = []
            for (let row = 0; row < batch.numRows; row++) {
              const port = ports![row]!
              const hit = config.ports.includes(port)
              label.push(hit ? (flaw === "bad-label" ? ("evil" as Label) : config.label) : null)
              detail.push(hit ? `dst_port ${port} listed` : null)
            }
            return Effect.succeed(flaw === "short" ? { label: label.slice(1), detail } : { label, detail })
          })
      })
  })

// ---------------------------------------------------------------- features

export type FeaturesFlaw = "none" | "missing" | "wrong-length" | "plain-array" | "camel-name" | "unknown-require" | "guarded" | "undeclared" | "sql" | "sql-grouped"

const FEATURE: FeatureSpec = { name: "bytes_per_packet", unit: "bytes", dtype: "float64", description: "forward bytes per forward packet", requires: ["fwd_bytes", "fwd_packets"] }

export const makeTestFeatures = (flaw: FeaturesFlaw = "none") => {
  const feature: FeatureSpec =
    flaw === "camel-name"
      ? { ...FEATURE, name: "bytesPerPacket" }
      : flaw === "unknown-require"
        ? { ...FEATURE, requires: ["fwd_bytez"] }
        : flaw === "guarded"
          ? { ...FEATURE, requires: ["tls_sni"] }
          : FEATURE
  return definePlugin({
    id: "features.test-ratio",
    kind: "features",
    version: "0.1.0",
    summary: "bytes per packet, forward",
    config: Schema.Struct({ min_packets: Schema.optionalWith(Schema.Number, { default: () => 1 }) }),
    requires: ["fwd_bytes", "fwd_packets"],
    make: (config) =>
      Effect.succeed({
        features: [feature],
        computation:
          flaw === "sql" || flaw === "sql-grouped"
            ? {
                _tag: "sql" as const,
                sql: (flows: string) =>
                  flaw === "sql"
                    ? `SELECT flow_id, CASE WHEN fwd_packets >= ${config.min_packets} THEN fwd_bytes / fwd_packets END AS bytes_per_packet FROM ${flows}`
                    : `SELECT min(flow_id) AS flow_id, avg(fwd_bytes) AS bytes_per_packet FROM ${flows} GROUP BY protocol`
              }
            : {
                _tag: "batch" as const,
                compute: (batch) =>
                  Effect.sync(() => {
                    const bytes = readNumeric(batch, "fwd_bytes")
                    const packets = readNumeric(batch, "fwd_packets")
                    const out = new Float64Array(flaw === "wrong-length" ? batch.numRows + 1 : batch.numRows).fill(Number.NaN)
                    if (bytes !== undefined && packets !== undefined)
                      for (let row = 0; row < batch.numRows; row++) if (packets[row]! >= config.min_packets) out[row] = bytes[row]! / packets[row]!
                    if (flaw === "missing") return {}
                    if (flaw === "plain-array") return { [feature.name]: Array.from(out) as unknown as Float64Array }
                    if (flaw === "undeclared") return { [feature.name]: out, extra: out }
                    return { [feature.name]: out }
                  })
              }
      })
  })
}

// ---------------------------------------------------------------- report

export type ReportFlaw = "none" | "absolute" | "escaping" | "empty" | "bad-json" | "untagged-failure"

export const makeTestReport = (flaw: ReportFlaw = "none") =>
  definePlugin({
    id: "report.test-summary",
    kind: "report",
    version: "0.1.0",
    summary: "writes summary.json",
    config: Schema.Struct({ file_name: Schema.optionalWith(Schema.String, { default: () => "summary.json" }) }),
    make: (config) =>
      Effect.succeed({
        render: (artifacts) => {
          if (flaw === "untagged-failure") return Effect.fail(new Error("no") as never)
          const path = flaw === "absolute" ? `/tmp/${config.file_name}` : flaw === "escaping" ? `../${config.file_name}` : config.file_name
          const contents = flaw === "empty" ? "" : flaw === "bad-json" ? "{nope" : JSON.stringify({ datasets: artifacts.datasets, artefacts: Object.keys(artifacts.json).sort() })
          return Effect.succeed([{ path, contents }])
        }
      })
  })
