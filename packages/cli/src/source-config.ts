/**
 * A source's raw config for the CLI's own pipelines (`flows`, `score`): the input paths plus the
 * metering settings the command carries (`batch_flows`, timeouts, `byte_layer`), each one kept
 * only where that source's config takes it.
 *
 * Holds: `sourceConfig`. Settings are tried one at a time against the plugin's own Schema, so a
 * flow export (whose flows are the exporter's) keeps `paths` and whatever else it accepts, and the
 * settings it refused are named for the command to report.
 * Does not hold: checking the values themselves (the commands refuse bad flags before any input
 * is read) or detecting which source reads an input (`flows.ts`).
 */
import type { Plugin } from "@hashhound/core"
import { Either } from "effect"

export interface SourceConfig {
  readonly raw: Record<string, unknown>
  /** the settings this source's config does not take, in the order given */
  readonly ignored: ReadonlyArray<string>
}

export const sourceConfig = (
  plugin: Plugin<"source">,
  paths: ReadonlyArray<string>,
  settings: Readonly<Record<string, unknown>>
): SourceConfig => {
  let raw: Record<string, unknown> = { paths: [...paths] }
  const ignored: Array<string> = []
  for (const [key, value] of Object.entries(settings)) {
    const candidate = { ...raw, [key]: value }
    if (Either.isRight(plugin.decode(candidate))) raw = candidate
    else ignored.push(key)
  }
  return { raw, ignored }
}
