/**
 * Errors of the run, and the union `runPipeline` fails with.
 *
 * Holds: `ManifestError` (a manifest that cannot be used) and `RunError`, the union of core's
 * typed errors a run can meet, the storage error and this one. A source that breaks the batch
 * index contract fails with core's PluginError (stage `reading`).
 * Does not hold: QC failures, which are not errors of the run: a failing check stops that
 * dataset's downstream stages and is reported in the RunSummary (status `failed`).
 */
import type { ConfigError, InputError, PluginError, UnknownPluginError } from "@hashhound/core"
import { Schema } from "effect"
import type { StorageError } from "../storage/index.js"

export class ManifestError extends Schema.TaggedError<ManifestError>()("ManifestError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `run manifest ${this.path}: ${this.reason}`
  }
}

/** What a run can fail with. */
export type RunError = ConfigError | PluginError | InputError | UnknownPluginError | StorageError | ManifestError
