import { describe, expect, it } from "@effect/vitest"
import { repoRoot } from "@hashhound/testkit"
import { Effect } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { meanOf } from "../src/scenario/dist.js"
import { loadScenario } from "../src/scenario/load.js"
import type { Scenario } from "../src/scenario/schema.js"

const MINING = new Set(["stratum_btc", "stratum_zec", "xmrig", "xmr_stak", "eth_stratum", "eth_http"])

/** Expected number of hosts that run at least one mining behaviour, and all hosts. */
const miningShare = (s: Scenario): { miners: number; hosts: number } => {
  let miners = 0
  let hosts = 0
  for (const group of s.host_groups) {
    hosts += group.count
    const none = group.mix.filter((m) => MINING.has(m.type)).reduce((p, m) => p * (1 - m.probability), 1)
    miners += group.count * (1 - none)
  }
  return { miners, hosts }
}

const poolsOf = (s: Scenario): Set<string> => new Set(s.host_groups.flatMap((g) => g.mix.filter((m) => MINING.has(m.type)).flatMap((m) => [...m.servers])))
const portsOf = (s: Scenario): Set<number> => new Set(s.host_groups.flatMap((g) => g.mix.filter((m) => MINING.has(m.type)).flatMap((m) => [...(m.ports ?? [])])))

describe("scenarios", () => {
  it.effect("lab and production load and differ in the ways that measure generalisation", () =>
    Effect.gen(function* () {
      const lab = (yield* loadScenario("lab", repoRoot())).scenario
      const prod = (yield* loadScenario("production", repoRoot())).scenario
      // base rate of mining
      const l = miningShare(lab)
      const p = miningShare(prod)
      expect(l.miners / l.hosts).toBeGreaterThan(0.25)
      expect(p.miners / p.hosts).toBeLessThan(0.06)
      expect(p.hosts).toBeGreaterThan(3 * l.hosts)
      // NAT only in production, and more loss and longer paths there
      expect(lab.network.nat).toHaveLength(0)
      expect(prod.network.nat.length).toBeGreaterThan(0)
      expect(prod.network.loss).toBeGreaterThan(lab.network.loss)
      expect(meanOf(prod.network.lan_rtt_ms)).toBeGreaterThan(meanOf(lab.network.lan_rtt_ms))
      // disjoint pools, different ports, more TLS
      const labPools = poolsOf(lab)
      for (const pool of poolsOf(prod)) expect(labPools.has(pool)).toBe(false)
      expect(portsOf(prod).has(443)).toBe(true)
      expect(portsOf(lab).has(443)).toBe(false)
      const tls = (s: Scenario) => s.host_groups.flatMap((g) => g.mix.filter((m) => MINING.has(m.type)).map((m) => m.tls ?? 0))
      expect(Math.max(...tls(prod))).toBeGreaterThan(Math.max(...tls(lab)))
      // more hard negatives in production
      const has = (s: Scenario, type: string) => s.host_groups.some((g) => g.mix.some((m) => m.type === type))
      expect(has(prod, "jsonrpc_api")).toBe(true)
      expect(has(lab, "jsonrpc_api")).toBe(false)
    })
  )

  it.effect("applies overrides and rejects unknown host groups", () =>
    Effect.gen(function* () {
      const { scenario } = yield* loadScenario("lab", repoRoot(), { durationS: 12, seed: 9, timeCompression: 5, hosts: { iot: 0 } })
      expect(scenario.duration_s).toBe(12)
      expect(scenario.seed).toBe(9)
      expect(scenario.time_compression).toBe(5)
      expect(scenario.host_groups.find((g) => g.name === "iot")?.count).toBe(0)
      const error = yield* Effect.flip(loadScenario("lab", repoRoot(), { hosts: { nobody: 3 } }))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("nobody")
    })
  )

  it.effect("names every problem of a bad scenario by its YAML path", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-scn-"))
      writeFileSync(
        join(dir, "bad.yaml"),
        [
          "name: bad",
          "network: { resolver: nowhere }",
          "servers: [{ name: a, ip: 10.0.0.300 }]",
          "host_groups:",
          "  - name: g",
          "    count: 2",
          "    subnet: 10.1.0.0/24",
          "    os: plan9",
          "    mix:",
          "      - { type: xmrig, servers: [b], params: { hashrate: 5 } }",
          "      - { type: not_a_behaviour, servers: [a] }"
        ].join("\n")
      )
      const error = yield* Effect.flip(loadScenario("bad.yaml", dir))
      const paths = error.issues.map((issue) => issue.path)
      expect(paths).toContain("host_groups.0.mix.1.type")
      const fixed = join(dir, "bad2.yaml")
      writeFileSync(fixed, [
        "name: bad",
        "network: { resolver: nowhere }",
        "servers: [{ name: a, ip: 10.0.0.300 }]",
        "host_groups:",
        "  - name: g",
        "    count: 2",
        "    subnet: 10.1.0.0/24",
        "    os: plan9",
        "    mix:",
        "      - { type: xmrig, servers: [b], params: { hashrate: 5 } }"
      ].join("\n"))
      const second = yield* Effect.flip(loadScenario(fixed, dir))
      const messages = second.issues.map((issue) => `${issue.path}: ${issue.message}`)
      expect(messages.some((m) => m.startsWith("network.resolver:"))).toBe(true)
      expect(messages.some((m) => m.startsWith("servers.0.ip:"))).toBe(true)
      expect(messages.some((m) => m.startsWith("host_groups.0.os:") && m.includes("plan9"))).toBe(true)
      expect(messages.some((m) => m.startsWith("host_groups.0.mix.0.servers.0:"))).toBe(true)
      expect(messages.some((m) => m.startsWith("host_groups.0.mix.0.params.hashrate:") && m.includes("unknown key"))).toBe(true)
      const missing = yield* Effect.flip(loadScenario("no-such-file.yaml", dir))
      expect(missing.message).toContain("cannot read scenario file")
    })
  )
})
