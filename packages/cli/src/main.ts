/**
 * The `hashhound` command: the subcommands, the registry and progress layers, and exit codes
 * (0 ok, 1 run failed, 2 bad usage or config). Errors are one paragraph on stderr.
 */
import { Command } from "@effect/cli"
// the package index also re-exports undici, sockets and cluster support (~2 MB the CLI never uses)
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { builtinRegistryLayer } from "./builtin-plugins.js"
import { demoCommand } from "./commands/demo.js"
import { featuresCommand } from "./commands/features.js"
import { flowsCommand } from "./commands/flows.js"
import { generateCommand } from "./commands/generate.js"
import { pluginsCommand } from "./commands/plugins.js"
import { runCommand } from "./commands/run.js"
import { schemaCommand } from "./commands/schema.js"
import { scoreCommand } from "./commands/score.js"
import { validateCommand } from "./commands/validate.js"
import { exitCodeOf } from "./exit.js"

export const VERSION = "0.1.0"

const root = Command.make("hashhound").pipe(
  Command.withDescription("Find crypto-mining connections in network traffic."),
  Command.withSubcommands([
    runCommand,
    validateCommand,
    pluginsCommand,
    schemaCommand,
    flowsCommand,
    featuresCommand,
    generateCommand,
    scoreCommand,
    demoCommand
  ])
)

const cli = Command.run(root, { name: "hashhound", version: VERSION })

const program = Effect.suspend(() => cli(process.argv)).pipe(
  Effect.provide(Layer.mergeAll(NodeContext.layer, builtinRegistryLayer))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const { text, code } = exitCodeOf(exit)
    if (text !== undefined) process.stderr.write(`${text}\n`)
    onExit(code)
  }
})
