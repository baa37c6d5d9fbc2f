/**
 * Reading the configured indicator lists into one `IocIndex`.
 *
 * Holds: `ListEntry` (a path, or `{ path, format, label }`) and `loadIndex`, which reads every
 * list (gzip transparent) and fails with a PluginError naming the file and line of the first
 * malformed line: a list is configuration, so the run stops rather than labelling with part of it.
 * Does not hold: parsing (`indicators.ts`) or lookups (`ioc-index.ts`).
 */
import { PluginError, type Label } from "@hashhound/core"
import { textLines } from "@hashhound/flowmeter"
import { Chunk, Effect, Stream } from "effect"
import { isAbsolute, resolve } from "node:path"
import { parseList, type Indicator, type ListFormat } from "./indicators.js"
import { IocIndex } from "./ioc-index.js"

export const PLUGIN_ID = "labeler.ioc"

export type ListEntry = string | { readonly path: string; readonly format?: ListFormat | undefined; readonly label?: Label | undefined }

export const entryPath = (entry: ListEntry): string => (typeof entry === "string" ? entry : entry.path)

/** Read and parse every list; relative paths resolve from `baseDir`. */
export const loadIndex = (
  lists: ReadonlyArray<ListEntry>,
  baseDir: string,
  defaultLabel: Label
): Effect.Effect<IocIndex, PluginError> =>
  Effect.gen(function* () {
    const all: Array<Indicator> = []
    for (const entry of lists) {
      const name = entryPath(entry)
      const path = isAbsolute(name) ? name : resolve(baseDir, name)
      const lines = yield* Stream.runCollect(textLines(path)).pipe(
        Effect.mapError((error) => new PluginError({ pluginId: PLUGIN_ID, stage: "reading", input: path, reason: error.reason }))
      )
      const parsed = parseList(Chunk.toReadonlyArray(lines), {
        name,
        format: typeof entry === "string" ? "auto" : (entry.format ?? "auto"),
        label: typeof entry === "string" ? defaultLabel : (entry.label ?? defaultLabel)
      })
      if (typeof parsed === "string") return yield* new PluginError({ pluginId: PLUGIN_ID, stage: "reading", input: path, reason: parsed })
      all.push(...parsed)
    }
    return new IocIndex(all)
  })
