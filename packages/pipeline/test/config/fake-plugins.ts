/**
 * Small in-test plugins for the config tests: fake sources with known column lists, labelers,
 * a QC check, feature groups with known requirements (one reading a guarded column), a model and
 * a report. Their `make` is never called by config code; it fails if it is.
 * Does not hold: any real plugin behaviour.
 */
import { definePlugin, makeRegistry, PluginError, type AnyPlugin, type Registry } from "@hashhound/core"
import { Effect, Schema } from "effect"

const neverBuilt = (pluginId: string) => () =>
  Effect.fail(new PluginError({ pluginId, stage: "processing", reason: "test plugin: config tests never build stages" }))

const Paths = Schema.NonEmptyArray(Schema.String).annotations({ description: "files, folders or globs" })

export const FILE_COLUMNS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "first_seen_us",
  "last_seen_us",
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes"
] as const

export const fakeFiles = definePlugin({
  id: "source.fake-files",
  kind: "source",
  version: "1.0.0",
  summary: "fake capture-file source",
  config: Schema.Struct({
    paths: Paths,
    idle_timeout_s: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 60 }).annotations({
      description: "seconds of silence that end a flow"
    })
  }),
  provides: FILE_COLUMNS,
  make: neverBuilt("source.fake-files")
})

export const fakeExport = definePlugin({
  id: "source.fake-export",
  kind: "source",
  version: "1.0.0",
  summary: "fake flow-export source without packet counts",
  config: Schema.Struct({ paths: Paths }),
  provides: ["src_ip", "dst_ip", "fwd_bytes", "bwd_bytes", "first_seen_us"],
  make: neverBuilt("source.fake-export")
})

export const fakeLive = definePlugin({
  id: "source.fake-live",
  kind: "source",
  version: "1.0.0",
  summary: "fake live source that declares no columns",
  config: Schema.Struct({ interface: Schema.String }),
  make: neverBuilt("source.fake-live")
})

export const fakeIoc = definePlugin({
  id: "labeler.fake-ioc",
  kind: "labeler",
  version: "1.0.0",
  summary: "fake IOC labeler",
  config: Schema.Struct({ lists: Schema.Array(Schema.String) }),
  requires: ["dst_ip"],
  make: neverBuilt("labeler.fake-ioc")
})

export const fakeDefault = definePlugin({
  id: "labeler.fake-default",
  kind: "labeler",
  version: "1.0.0",
  summary: "fake labeler giving every flow one label",
  config: Schema.Struct({ default: Schema.optionalWith(Schema.Literal("benign", "unknown"), { default: () => "unknown" as const }) }),
  make: neverBuilt("labeler.fake-default")
})

export const fakeVolumeQc = definePlugin({
  id: "qc.fake-volume",
  kind: "qc",
  version: "1.0.0",
  summary: "fake volume check",
  config: Schema.Struct({
    fail: Schema.optional(Schema.Struct({ zero_payload_share_above: Schema.Number.pipe(Schema.between(0, 1)) }))
  }),
  make: neverBuilt("qc.fake-volume")
})

export const fakeVolume = definePlugin({
  id: "features.fake-volume",
  kind: "features",
  version: "1.0.0",
  summary: "fake volume features",
  config: Schema.Struct({}),
  requires: ["fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes"],
  provides: ["bytes_per_packet"],
  make: neverBuilt("features.fake-volume")
})

export const fakeTemporal = definePlugin({
  id: "features.fake-temporal",
  kind: "features",
  version: "1.0.0",
  summary: "fake temporal features",
  config: Schema.Struct({
    window_s: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 60 }),
    use_early_packets: Schema.optionalWith(Schema.Boolean, { default: () => false })
  }),
  requires: ["first_seen_us", "duration_s"],
  columns: (config) => ({
    requires: config.use_early_packets ? ["first_seen_us", "duration_s", "splt_iat_ms"] : ["first_seen_us", "duration_s"]
  }),
  provides: ["flows_per_window"],
  make: neverBuilt("features.fake-temporal")
})

export const fakeSni = definePlugin({
  id: "features.fake-sni",
  kind: "features",
  version: "1.0.0",
  summary: "fake features reading the TLS server name",
  config: Schema.Struct({}),
  requires: ["tls_sni", "dst_port"],
  provides: ["sni_entropy"],
  make: neverBuilt("features.fake-sni")
})

export const fakeGbdt = definePlugin({
  id: "model.fake-gbdt",
  kind: "model",
  version: "1.0.0",
  summary: "fake gradient-boosted trees",
  config: Schema.Struct({
    trees: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 100 }).annotations({ description: "number of trees" }),
    max_depth: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 32)), { default: () => 6 }),
    learning_rate: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 0.1 })
  }),
  make: neverBuilt("model.fake-gbdt")
})

export const fakeHtml = definePlugin({
  id: "report.fake-html",
  kind: "report",
  version: "1.0.0",
  summary: "fake HTML report",
  config: Schema.Struct({ title: Schema.optional(Schema.String) }),
  make: neverBuilt("report.fake-html")
})

export const FAKE_PLUGINS: ReadonlyArray<AnyPlugin> = [
  fakeFiles,
  fakeExport,
  fakeLive,
  fakeIoc,
  fakeDefault,
  fakeVolumeQc,
  fakeVolume,
  fakeTemporal,
  fakeSni,
  fakeGbdt,
  fakeHtml
]

export const fakeRegistry: Effect.Effect<Registry> = makeRegistry([{ source: "test", plugins: FAKE_PLUGINS }]).pipe(Effect.orDie)
