/**
 * features.ports: server-port class, transport protocol one-hots and an optional, clearly named
 * known-mining-port prior.
 *
 * Holds: the config schema (`port_class_one_hot`, `mining_port_prior`, `mining_ports`), the
 * manifest (its provided features depend on the config) and the plugin list.
 * Does not hold: the computation (see `ports-features.ts`).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { computePorts, DEFAULT_MINING_PORTS, portsFeatures, type PortsOptions } from "./ports-features.js"

export { computePorts, DEFAULT_MINING_PORTS, portClass, portsFeatures, type PortsOptions } from "./ports-features.js"

const Port = Schema.Int.pipe(Schema.between(0, 65535))

export const Config = Schema.Struct({
  /** false: one ordinal `server_port_class` column (0/1/2); true: three 0/1 columns instead */
  port_class_one_hot: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** add `known_mining_port` (a prior from port numbers, off by default) */
  mining_port_prior: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** the ports `known_mining_port` looks for */
  mining_ports: Schema.optionalWith(Schema.Array(Port), { default: () => DEFAULT_MINING_PORTS })
})
export type Config = typeof Config.Type

const optionsOf = (config: Config): PortsOptions => ({
  portClassOneHot: config.port_class_one_hot,
  miningPortPrior: config.mining_port_prior,
  miningPorts: config.mining_ports
})

const columnsOf = (config: Config) => {
  const features = portsFeatures(optionsOf(config))
  return {
    requires: [...new Set(features.flatMap((feature) => feature.requires))],
    provides: features.map((feature) => feature.name)
  }
}

const DEFAULT_COLUMNS = columnsOf({ port_class_one_hot: false, mining_port_prior: false, mining_ports: DEFAULT_MINING_PORTS })

export const plugin = definePlugin({
  id: "features.ports",
  kind: "features",
  version: "0.1.0",
  summary: "server-port class, TCP/UDP/other one-hots, optional known-mining-port prior",
  config: Config,
  requires: DEFAULT_COLUMNS.requires,
  provides: DEFAULT_COLUMNS.provides,
  columns: columnsOf,
  make: (config) => {
    const options = optionsOf(config)
    return Effect.succeed({
      features: portsFeatures(options),
      computation: { _tag: "batch" as const, compute: (batch) => Effect.sync(() => computePorts(batch, options)) }
    })
  }
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin]
