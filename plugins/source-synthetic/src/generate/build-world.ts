/**
 * Turns a scenario into a running simulation for one capture: servers, NAT gateways and hosts
 * with their stacks, addresses and MACs, the World around them, and every behaviour instance
 * started on its host with its own random stream.
 *
 * Holds: `buildWorld` and the seed derivation per capture, host and behaviour instance (so a
 * change to one host group leaves the others' traffic as it was).
 * Does not hold: the event loop or files (see `run-capture.ts`).
 */
import { parseIpv4, parseIpv6, parseMac } from "@hashhound/flowmeter"
import type { BehaviourContext } from "../behaviours/behaviour.js"
import { BEHAVIOURS } from "../behaviours/registry.js"
import { type Host, type Nat, type Server, World } from "../behaviours/world.js"
import { parseSubnet } from "../scenario/check.js"
import { sample, sampleChoice } from "../scenario/dist.js"
import type { Scenario } from "../scenario/schema.js"
import type { Engine } from "../sim/engine.js"
import { deriveSeed, Rng } from "../sim/prng.js"
import { type OsName, STACKS } from "../sim/stacks.js"
import { IpIdCounter } from "../sim/tcp.js"

const OUI: Readonly<Record<OsName, ReadonlyArray<number>>> = {
  linux: [0x52, 0x54, 0x00],
  windows: [0xf8, 0xbc, 0x12],
  macos: [0xa4, 0x83, 0xe7],
  iot: [0xb8, 0x27, 0xeb],
  android: [0x3c, 0x28, 0x6d]
}

const mac = (rng: Rng, os: OsName): Uint8Array => Uint8Array.from([...OUI[os], rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)])

export const captureSeed = (scenario: Scenario, index: number): number => deriveSeed(scenario.seed, `capture-${index}`)

export interface BuiltWorld {
  readonly world: World
  readonly hosts: number
  readonly instances: number
}

export const buildWorld = (scenario: Scenario, index: number, engine: Engine): BuiltWorld => {
  const seed = captureSeed(scenario, index)
  const netRng = new Rng(deriveSeed(seed, "network"))
  const epochStart = new Date(Date.parse(scenario.start_time))
  const servers = new Map<string, Server>()
  for (const spec of scenario.servers) {
    servers.set(spec.name, {
      name: spec.name,
      ip4: parseIpv4(spec.ip),
      ip6: spec.ipv6 === undefined ? null : (parseIpv6(spec.ipv6) ?? null),
      stack: STACKS[spec.os],
      ipIds: new IpIdCounter(netRng.int(0, 0xffff)),
      dnsTtlS: spec.dns_ttl_s,
      farRttUs: (rng) => Math.max(0.05, sample(rng, spec.rtt_ms)) * 1000,
      jitterUs: (rng) => Math.max(0.001, sample(rng, spec.jitter_ms)) * 1000,
      hops: (rng) => sample(rng, spec.hops),
      loss: spec.loss
    })
  }
  const nats = new Map<string, Nat>()
  for (const spec of scenario.network.nat) {
    nats.set(spec.name, {
      name: spec.name,
      publicIp4: parseIpv4(spec.public_ip),
      mac: (spec.mac === undefined ? undefined : parseMac(spec.mac)) ?? Uint8Array.from([0x00, 0x1e, 0x49, netRng.int(0, 255), netRng.int(0, 255), netRng.int(0, 255)]),
      sequential: spec.port_allocation === "sequential",
      portMin: spec.port_min,
      portMax: spec.port_max,
      nextPort: netRng.int(spec.port_min, spec.port_max),
      recentPorts: new Map()
    })
  }
  const resolver = servers.get(scenario.network.resolver)!
  const world = new World(engine, {
    gatewayMac: parseMac(scenario.network.gateway_mac) ?? new Uint8Array(6),
    nearRttUs: (rng) => Math.max(0.01, sample(rng, scenario.network.lan_rtt_ms)) * 1000,
    lanHops: scenario.network.lan_hops,
    extraLoss: scenario.network.loss,
    resolver,
    epochStartUs: epochStart.getTime() * 1000
  })
  const compression = scenario.time_compression
  let hostCount = 0
  let instances = 0
  for (const group of scenario.host_groups) {
    const subnet = parseSubnet(group.subnet)!
    for (let h = 0; h < group.count; h++) {
      const hostSeed = deriveSeed(seed, `host:${group.name}:${h}`)
      const hostRng = new Rng(hostSeed)
      const os = sampleChoice(hostRng, group.os) as OsName
      const stack = STACKS[os]
      const prefix = group.ipv6_prefix === undefined ? undefined : parseIpv6(`${group.ipv6_prefix.replace(/::?$/, "")}::1`)
      let ip6: Uint8Array | null = null
      if (prefix !== undefined) {
        ip6 = Uint8Array.from(prefix)
        hostRng.fill(ip6, 8, 8)
      }
      const host: Host = {
        name: `${group.name}-${h}`,
        group: group.name,
        ip4: (subnet.base + group.first_host + h) >>> 0,
        ip6,
        mac: mac(hostRng, os),
        stack,
        ipIds: new IpIdCounter(hostRng.int(0, 0xffff)),
        nat: group.nat === undefined ? null : (nats.get(group.nat) ?? null),
        upBps: Math.max(0.1, sample(hostRng, scenario.network.up_mbps)) * 1e6,
        downBps: Math.max(0.1, sample(hostRng, scenario.network.down_mbps)) * 1e6,
        ipv6Share: group.ipv6_share,
        nextPort: hostRng.int(stack.ephemeralMin, stack.ephemeralMax),
        recentPorts: new Map(),
        dnsCache: new Map()
      }
      hostCount++
      group.mix.forEach((entry, m) => {
        if (!hostRng.chance(entry.probability)) return
        const def = BEHAVIOURS[entry.type]
        const copies = Math.max(0, Math.round(sample(hostRng, entry.instances)))
        for (let k = 0; k < copies; k++) {
          const rng = new Rng(deriveSeed(hostSeed, `mix:${m}:${k}`))
          const ctx: BehaviourContext = {
            world,
            host,
            rng,
            label: { label: def.label, behaviour: entry.type },
            servers: entry.servers.map((name) => servers.get(name)!),
            ports: entry.ports ?? def.defaultPorts,
            tlsShare: entry.tls ?? def.defaultTlsShare,
            compression,
            endUs: engine.endUs,
            epochStart
          }
          const startUs = (Math.max(0, sample(rng, entry.start_s)) * 1e6) / compression
          engine.at(startUs, (t) => void def.start(ctx, entry.params, t))
          instances++
        }
      })
    }
  }
  return { world, hosts: hostCount, instances }
}
