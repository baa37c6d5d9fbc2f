/**
 * The built-in plugins: one explicit list of packages, no registration by import side effect.
 * A package is loaded only when a command asks for its kind, so `hashhound flows` starts
 * without the models, reports and their dependencies.
 *
 * Holds: the list (package, the kind of plugin it holds, its loader) and
 * `builtinRegistryLayer(kinds)`, the registry layer the commands use: the built-ins of those
 * kinds, or all of them (plus the third-party packages a pipeline names under `plugins:`,
 * which `@hashhound/pipeline` loads).
 * Does not hold: plugin code. `nx g @hashhound/tools:plugin` inserts new plugins above the marker.
 */
import { registryLayer, type AnyPlugin, type InvalidPluginError, type PluginKind, type PluginRegistry } from "@hashhound/core"
import { Effect, Layer } from "effect"

export interface BuiltinPackage {
  /** the npm package */
  readonly source: string
  /** the kind of the plugins it holds */
  readonly kind: PluginKind
  readonly load: () => Promise<{ readonly plugins: ReadonlyArray<AnyPlugin> }>
}

export const builtinPackages: ReadonlyArray<BuiltinPackage> = [
  { source: "@hashhound/plugin-source-pcap", kind: "source", load: () => import("@hashhound/plugin-source-pcap") },
  { source: "@hashhound/plugin-source-zeek-conn", kind: "source", load: () => import("@hashhound/plugin-source-zeek-conn") },
  { source: "@hashhound/plugin-source-argus", kind: "source", load: () => import("@hashhound/plugin-source-argus") },
  { source: "@hashhound/plugin-source-nfdump-csv", kind: "source", load: () => import("@hashhound/plugin-source-nfdump-csv") },
  { source: "@hashhound/plugin-source-cicflowmeter-csv", kind: "source", load: () => import("@hashhound/plugin-source-cicflowmeter-csv") },
  { source: "@hashhound/plugin-labeler-scenario", kind: "labeler", load: () => import("@hashhound/plugin-labeler-scenario") },
  { source: "@hashhound/plugin-labeler-ioc", kind: "labeler", load: () => import("@hashhound/plugin-labeler-ioc") },
  { source: "@hashhound/plugin-labeler-stratum", kind: "labeler", load: () => import("@hashhound/plugin-labeler-stratum") },
  { source: "@hashhound/plugin-labeler-dataset", kind: "labeler", load: () => import("@hashhound/plugin-labeler-dataset") },
  { source: "@hashhound/plugin-source-synthetic", kind: "source", load: () => import("@hashhound/plugin-source-synthetic") },
  { source: "@hashhound/plugin-features-volume", kind: "features", load: () => import("@hashhound/plugin-features-volume") },
  { source: "@hashhound/plugin-features-direction", kind: "features", load: () => import("@hashhound/plugin-features-direction") },
  { source: "@hashhound/plugin-features-ports", kind: "features", load: () => import("@hashhound/plugin-features-ports") },
  { source: "@hashhound/plugin-features-temporal", kind: "features", load: () => import("@hashhound/plugin-features-temporal") },
  { source: "@hashhound/plugin-features-tcp", kind: "features", load: () => import("@hashhound/plugin-features-tcp") },
  { source: "@hashhound/plugin-features-early", kind: "features", load: () => import("@hashhound/plugin-features-early") },
  { source: "@hashhound/plugin-qc-volume", kind: "qc", load: () => import("@hashhound/plugin-qc-volume") },
  { source: "@hashhound/plugin-qc-timestamps", kind: "qc", load: () => import("@hashhound/plugin-qc-timestamps") },
  { source: "@hashhound/plugin-qc-duplicates", kind: "qc", load: () => import("@hashhound/plugin-qc-duplicates") },
  { source: "@hashhound/plugin-qc-schema", kind: "qc", load: () => import("@hashhound/plugin-qc-schema") },
  { source: "@hashhound/plugin-qc-parse", kind: "qc", load: () => import("@hashhound/plugin-qc-parse") },
  { source: "@hashhound/plugin-qc-drift", kind: "qc", load: () => import("@hashhound/plugin-qc-drift") },
  { source: "@hashhound/plugin-qc-labels", kind: "qc", load: () => import("@hashhound/plugin-qc-labels") },
  { source: "@hashhound/plugin-model-gbdt", kind: "model", load: () => import("@hashhound/plugin-model-gbdt") },
  { source: "@hashhound/plugin-model-random-forest", kind: "model", load: () => import("@hashhound/plugin-model-random-forest") },
  { source: "@hashhound/plugin-model-logistic", kind: "model", load: () => import("@hashhound/plugin-model-logistic") },
  { source: "@hashhound/plugin-model-ml-random-forest", kind: "model", load: () => import("@hashhound/plugin-model-ml-random-forest") },
  { source: "@hashhound/plugin-model-xgboost-wasm", kind: "model", load: () => import("@hashhound/plugin-model-xgboost-wasm") },
  { source: "@hashhound/plugin-report-qc-html", kind: "report", load: () => import("@hashhound/plugin-report-qc-html") },
  { source: "@hashhound/plugin-report-evaluation-html", kind: "report", load: () => import("@hashhound/plugin-report-evaluation-html") },
  // generator: plugin list above
]

/** The built-in packages of the given kinds (all when `kinds` is undefined), loaded, with their plugins. */
export const loadBuiltins = (
  kinds?: ReadonlyArray<PluginKind>
): Effect.Effect<ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }>> =>
  Effect.promise(() =>
    Promise.all(
      builtinPackages
        .filter((entry) => kinds === undefined || kinds.includes(entry.kind))
        .map(async (entry) => ({ source: entry.source, plugins: (await entry.load()).plugins }))
    )
  )

/** The registry of the built-ins of the given kinds (all when `kinds` is undefined). */
export const builtinRegistryLayer = (kinds?: ReadonlyArray<PluginKind>): Layer.Layer<PluginRegistry, InvalidPluginError> =>
  Layer.unwrapEffect(Effect.map(loadBuiltins(kinds), registryLayer))
