/**
 * `hashhound plugins`: every registered plugin with kind, version and summary.
 */
import { Command } from "@effect/cli"
import { PluginRegistry } from "@hashhound/core"
import { Console, Effect } from "effect"

export const pluginsCommand = Command.make("plugins", {}, () =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    const rows = registry.plugins.map((p) => [p.id, p.kind, p.version, p.summary] as const)
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ["id", "kind", "version"][i]!.length))
    const line = (cells: ReadonlyArray<string>) =>
      cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")
    yield* Console.log(line(["id", "kind", "version", "summary"]))
    for (const row of rows) yield* Console.log(line(row))
    if (rows.length === 0) yield* Console.log("(no plugins registered)")
  })
).pipe(Command.withDescription("List every plugin with its kind, version and summary."))
