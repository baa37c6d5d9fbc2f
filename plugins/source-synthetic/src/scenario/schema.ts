/**
 * The scenario file format (YAML, snake_case keys): capture settings, the network around the
 * capture point (LAN delay, NAT gateways, resolver, access links), the servers (pools, CDNs,
 * brokers… with their delays, loss, hop counts) and host groups, each with a behaviour mix.
 *
 * Holds: the Schemas `Scenario`, `HostGroup`, `MixEntry`, `ServerSpec`, `NatSpec`,
 * `NetworkSpec`. Each mix entry's `params` is decoded later against its behaviour's own Schema
 * (see `resolve.ts`), so problems are reported with their full path.
 * Does not hold: loading files or the built-in scenarios (see `load.ts`).
 */
import { Schema } from "effect"
import { BEHAVIOUR_TYPES } from "../behaviours/registry.js"
import { OS_NAMES } from "../sim/stacks.js"
import { Choice, Dist } from "./dist.js"

const Probability = Schema.Number.pipe(Schema.between(0, 1))
const Port = Schema.Int.pipe(Schema.between(1, 65_535))

export const ServerSpec = Schema.Struct({
  /** host name: what DNS resolves and TLS names (SNI) */
  name: Schema.String.pipe(Schema.minLength(1)),
  ip: Schema.String,
  ipv6: Schema.optional(Schema.String),
  os: Schema.optionalWith(Schema.Literal(...OS_NAMES), { default: () => "linux" as const }),
  /** round trip capture point ↔ server */
  rtt_ms: Schema.optionalWith(Dist, { default: () => ({ dist: "lognormal", median: 40, sigma: 0.3 }) as const }),
  /** mean extra delay per packet (exponential) */
  jitter_ms: Schema.optionalWith(Dist, { default: () => 1 }),
  loss: Schema.optionalWith(Probability, { default: () => 0 }),
  hops: Schema.optionalWith(Dist, { default: () => ({ dist: "uniform", low: 8, high: 20 }) as const }),
  dns_ttl_s: Schema.optionalWith(Schema.Number, { default: () => 300 })
})
export type ServerSpec = typeof ServerSpec.Type

export const NatSpec = Schema.Struct({
  name: Schema.String,
  public_ip: Schema.String,
  mac: Schema.optional(Schema.String),
  port_allocation: Schema.optionalWith(Schema.Literal("sequential", "random"), { default: () => "random" as const }),
  port_min: Schema.optionalWith(Port, { default: () => 1024 }),
  port_max: Schema.optionalWith(Port, { default: () => 65_535 })
})
export type NatSpec = typeof NatSpec.Type

export const NetworkSpec = Schema.Struct({
  /** round trip capture point ↔ inside host */
  lan_rtt_ms: Schema.optionalWith(Dist, { default: () => ({ dist: "uniform", low: 0.1, high: 0.6 }) as const }),
  /** routers between inside hosts and the capture point */
  lan_hops: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  gateway_mac: Schema.optionalWith(Schema.String, { default: () => "00:1b:21:3a:4f:10" }),
  /** server name of the DNS resolver */
  resolver: Schema.String,
  nat: Schema.optionalWith(Schema.Array(NatSpec), { default: () => [] }),
  up_mbps: Schema.optionalWith(Dist, { default: () => 100 }),
  down_mbps: Schema.optionalWith(Dist, { default: () => 500 }),
  /** loss added to every server's */
  loss: Schema.optionalWith(Probability, { default: () => 0 })
})
export type NetworkSpec = typeof NetworkSpec.Type

export const MixEntry = Schema.Struct({
  type: Schema.Literal(...BEHAVIOUR_TYPES),
  /** chance that a host of the group runs this behaviour */
  probability: Schema.optionalWith(Probability, { default: () => 1 }),
  /** how many independent copies run on a host that has it (several miners per host) */
  instances: Schema.optionalWith(Dist, { default: () => 1 }),
  /** when each copy starts (seconds from the capture start, before time compression) */
  start_s: Schema.optionalWith(Dist, { default: () => ({ dist: "uniform", low: 0, high: 30 }) as const }),
  /** server names; mining behaviours fail over in this order */
  servers: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  ports: Schema.optional(Schema.Array(Port).pipe(Schema.minItems(1))),
  /** probability that a connection uses TLS (default: the behaviour's own) */
  tls: Schema.optional(Probability),
  params: Schema.optional(Schema.Unknown)
})
export type MixEntry = typeof MixEntry.Type

export const HostGroup = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1)),
  count: Schema.Int.pipe(Schema.nonNegative()),
  /** IPv4 prefix the hosts are numbered in, e.g. 192.168.2.0/24 */
  subnet: Schema.String,
  first_host: Schema.optionalWith(Schema.Int, { default: () => 10 }),
  os: Schema.optionalWith(Choice, { default: () => "linux" }),
  /** NAT gateway name: the capture shows the gateway's public address and ports */
  nat: Schema.optional(Schema.String),
  /** IPv6 prefix (/64) for dual-stack hosts */
  ipv6_prefix: Schema.optional(Schema.String),
  ipv6_share: Schema.optionalWith(Probability, { default: () => 0 }),
  mix: Schema.Array(MixEntry)
})
export type HostGroup = typeof HostGroup.Type

export const Scenario = Schema.Struct({
  name: Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9_-]*$/)),
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  seed: Schema.optionalWith(Schema.Int, { default: () => 1 }),
  duration_s: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 600 }),
  /** application gaps (think times, share and job intervals, keepalives) are divided by this */
  time_compression: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 1 }),
  start_time: Schema.optionalWith(Schema.String, { default: () => "2024-03-04T09:00:00Z" }),
  /** independent captures, each `duration_s` long, with derived seeds */
  captures: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 1 }),
  precision: Schema.optionalWith(Schema.Literal("us", "ns"), { default: () => "us" as const }),
  snaplen: Schema.optionalWith(Schema.Int.pipe(Schema.between(64, 262_144)), { default: () => 65_535 }),
  network: NetworkSpec,
  servers: Schema.Array(ServerSpec).pipe(Schema.minItems(1)),
  host_groups: Schema.Array(HostGroup).pipe(Schema.minItems(1))
})
export type Scenario = typeof Scenario.Type
export type ScenarioInput = typeof Scenario.Encoded
