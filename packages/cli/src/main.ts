/**
 * The `hashhound` command: the subcommands, the registry and progress layers, and exit codes
 * (0 ok, 1 run failed, 2 bad usage or config). Errors are one paragraph on stderr.
 *
 * Start-up: only the subcommand named first on the command line is loaded, with the built-in
 * plugins of the kinds it needs (`flows` reads no model, report or QC code); `--help`,
 * `--version`, an unknown word or nothing loads every subcommand and every built-in. Parsing
 * and help are the same either way: the command tree differs only in the subcommands left out.
 */
import { Command } from "@effect/cli"
// the package index also re-exports undici, sockets and cluster support (~2 MB the CLI never uses)
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { PluginKind } from "@hashhound/core"
import { Effect, Layer } from "effect"
import { builtinRegistryLayer } from "./builtin-plugins.js"
import { exitCodeOf } from "./exit.js"

export const VERSION = "0.1.0"

interface Subcommand {
  readonly load: () => Promise<Command.Command<string, never, unknown, unknown>>
  /** plugin kinds it uses (every kind when absent) */
  readonly kinds?: ReadonlyArray<PluginKind>
  /**
   * Options for the jemalloc inside DuckDB's library (`DUCKDB_JE_MALLOC_CONF`). The library
   * reads them once, as it loads, so they are set before the command's modules are; a value
   * already in the environment is left as it is.
   */
  readonly duckdbMallocConf?: string
}

/**
 * Every subcommand, in the order `--help` lists them. A command's Environment (the registry,
 * the platform) is provided below, so each is widened to one shape here.
 */
const SUBCOMMANDS = {
  run: { load: () => import("./commands/run.js").then((m) => widen(m.runCommand)) },
  validate: { load: () => import("./commands/validate.js").then((m) => widen(m.validateCommand)) },
  plugins: { load: () => import("./commands/plugins.js").then((m) => widen(m.pluginsCommand)) },
  schema: { load: () => import("./commands/schema.js").then((m) => widen(m.schemaCommand)) },
  // where DuckDB writes the export (parts whose columns differ; see flows.ts) one thread does, so one jemalloc
  // arena is enough: the default two held 12–18 MB more at the peak of a 2 GB capture
  flows: { load: () => import("./commands/flows.js").then((m) => widen(m.flowsCommand)), kinds: ["source"], duckdbMallocConf: "narenas:1" },
  features: { load: () => import("./commands/features.js").then((m) => widen(m.featuresCommand)) },
  generate: { load: () => import("./commands/generate.js").then((m) => widen(m.generateCommand)) },
  score: { load: () => import("./commands/score.js").then((m) => widen(m.scoreCommand)) },
  demo: { load: () => import("./commands/demo.js").then((m) => widen(m.demoCommand)) }
} satisfies Record<string, Subcommand>

/** What the commands need from outside, provided once for all of them below. */
type Provided = Layer.Layer.Success<typeof NodeContext.layer> | Layer.Layer.Success<ReturnType<typeof builtinRegistryLayer>>

function widen<Name extends string, E, A>(command: Command.Command<Name, Provided, E, A>): Command.Command<string, never, unknown, unknown> {
  return command as unknown as Command.Command<string, never, unknown, unknown>
}

const named = process.argv[2]
const chosen: Subcommand | undefined =
  named !== undefined && Object.hasOwn(SUBCOMMANDS, named) ? SUBCOMMANDS[named as keyof typeof SUBCOMMANDS] : undefined

if (chosen?.duckdbMallocConf !== undefined && process.env["DUCKDB_JE_MALLOC_CONF"] === undefined) {
  process.env["DUCKDB_JE_MALLOC_CONF"] = chosen.duckdbMallocConf
}

const program = Effect.gen(function* () {
  const commands = yield* Effect.promise(() =>
    chosen === undefined ? Promise.all(Object.values(SUBCOMMANDS).map((entry) => entry.load())) : chosen.load().then((command) => [command])
  )
  const [first, ...rest] = commands
  const root = Command.make("hashhound").pipe(
    Command.withDescription("Find crypto-mining connections in network traffic."),
    Command.withSubcommands([first!, ...rest])
  )
  const cli = Command.run(root, { name: "hashhound", version: VERSION })
  return yield* (cli(process.argv) as Effect.Effect<void, unknown, Provided>)
}).pipe(Effect.provide(Layer.mergeAll(NodeContext.layer, builtinRegistryLayer(chosen?.kinds))))

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const { text, code } = exitCodeOf(exit)
    if (text !== undefined) process.stderr.write(`${text}\n`)
    onExit(code)
  }
})
