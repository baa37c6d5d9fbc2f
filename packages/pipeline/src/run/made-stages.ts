/**
 * Stages made from pipeline entries through the registry.
 *
 * Holds: `Made<K>` (entry, plugin, built stage, identity for keys) and `makeStage`, which looks
 * the entry's plugin up with the expected kind and builds it from the entry's raw config.
 * Does not hold: config validation of the whole pipeline (see `config/`).
 */
import { PluginRegistry, type ConfigError, type Plugin, type PluginError, type PluginKind, type StageByKind, type UnknownPluginError } from "@hashhound/core"
import { Effect } from "effect"
import type { StageEntry } from "../spec.js"
import { entryIdentity, type EntryIdentity } from "./keys.js"

export interface Made<K extends PluginKind> {
  readonly entry: StageEntry
  readonly plugin: Plugin<K>
  readonly stage: StageByKind[K]
  readonly identity: EntryIdentity
}

export const makeStage = <K extends PluginKind>(
  entry: StageEntry,
  kind: K
): Effect.Effect<Made<K>, UnknownPluginError | ConfigError | PluginError, PluginRegistry> =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    const plugin = yield* registry.getKind(entry.type, kind)
    const stage = yield* plugin.make(entry.raw)
    return { entry, plugin, stage, identity: entryIdentity(entry, plugin.version) }
  })
