/**
 * labeler.stratum: the labeler contract, golden cases (synthetic method sets and the real mining
 * captures) and the evidence the issue asks for: every pool session in the real captures is
 * mining, and the hard negatives (Monero P2P, Ethereum node JSON-RPC over HTTP) are not.
 */
import { it } from "@effect/vitest"
import { readNumeric, readStrings } from "@hashhound/core"
import { batchFromRows, describeFixtures, fixture, labelerContract, makeFromYaml } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { stratumLabeler } from "../src/index.js"
import { classifyMethods } from "../src/methods.js"
import { captureBatches, registerCases } from "./cases.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

labelerContract(stratumLabeler, { exampleYaml: join(root, "example.yaml") })

registerCases(stratumLabeler, join(root, "testcases"))

const defaults = { minMethods: 1, extraMethods: new Set<string>() }

describe("labeler.stratum", () => {
  it("knows the pool families and never takes node JSON-RPC for one", () => {
    expect(classifyMethods("mining.subscribe,mining.authorize,mining.submit", defaults).families).toEqual(["stratum"])
    expect(classifyMethods("login,job", defaults).mining).toBe(true)
    expect(classifyMethods("login", defaults).mining).toBe(false)
    expect(classifyMethods("eth_submitLogin", defaults).mining).toBe(true)
    for (const node of ["web3_clientVersion", "eth_blockNumber", "eth_getBalance", "eth_call", "net_version", "eth_syncing", "eth_sendRawTransaction", "eth_mining", "eth_hashrate"])
      expect(classifyMethods(node, defaults).mining, node).toBe(false)
  })

  it("refuses a method name the flow meter can never report, and a min_methods of 0", () => {
    const paths = (raw: unknown) => Either.match(stratumLabeler.decode(raw, "labels.0"), { onLeft: (i) => i.map((x) => x.path), onRight: () => [] })
    expect(paths({ extra_methods: ["has space"] })).toEqual(["labels.0.extra_methods.0"])
    expect(paths({ min_methods: 0 })).toEqual(["labels.0.min_methods"])
  })

  it.effect("never says benign, and rows without methods have neither label nor detail", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(stratumLabeler, "type: labeler.stratum\n")
      const batch = batchFromRows([{ jsonrpc_methods: "web3_clientVersion" }, { jsonrpc_methods: null }, { jsonrpc_methods: "mining.notify" }], {
        columns: ["jsonrpc_methods"]
      })
      const answer = yield* stage.label(batch, { dataset: "t", capture: "c", batch: 0 })
      expect(answer.label).toEqual([null, null, "mining"])
      expect(answer.detail[0]).toBe("JSON-RPC methods seen, not a pool-mining set: web3_clientVersion")
      expect(answer.detail[1]).toBeNull()
    }))
})

describeFixtures("labeler.stratum on the real mining captures", () => {
  const labelCapture = (name: string) =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(stratumLabeler, "type: labeler.stratum\n")
      const out: Array<{ flow: string; methods: string | null; label: string | null }> = []
      for (const [index, batch] of (yield* captureBatches(fixture(`mining/${name}`))).entries()) {
        const answer = yield* stage.label(batch, { dataset: "mining", capture: name, batch: index })
        const src = readStrings(batch, "src_ip")!
        const dst = readStrings(batch, "dst_ip")!
        const sport = readNumeric(batch, "src_port")!
        const dport = readNumeric(batch, "dst_port")!
        const methods = readStrings(batch, "jsonrpc_methods")!
        for (let row = 0; row < batch.numRows; row++)
          out.push({ flow: `${src[row]}:${sport[row]} → ${dst[row]}:${dport[row]}`, methods: methods[row] ?? null, label: answer.label[row] ?? null })
      }
      return out
    })

  const POOLS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["peafowl-stratum.pcap", ["94.23.199.191:3333", "116.211.167.195:3333"]],
    ["peafowl-monero.pcap", ["178.32.196.217:9050"]],
    ["nesfit-eth-eu1.nanopool.org.pcapng", ["185.71.66.39:9999"]],
    ["ndpi-mining.pcapng", ["94.23.199.191:3333", "116.211.167.195:3333", "178.32.196.217:9050", "185.71.66.39:9999"]]
  ]

  for (const [name, pools] of POOLS)
    it.effect(`every pool session in ${name} is mining`, () =>
      Effect.gen(function* () {
        const flows = yield* labelCapture(name)
        const toPool = flows.filter((f) => pools.some((pool) => f.flow.includes(pool.split(":")[0]!)))
        expect(toPool.length).toBeGreaterThan(0)
        for (const pool of pools) expect(toPool.some((f) => f.flow.includes(pool.split(":")[0]!)), pool).toBe(true)
        expect(toPool.filter((f) => f.label !== "mining")).toEqual([])
      }))

  for (const name of ["ndpi-monero.pcap", "peafowl-ethereum-js-http.pcap"])
    it.effect(`no flow of the hard negative ${name} is mining`, () =>
      Effect.gen(function* () {
        const flows = yield* labelCapture(name)
        expect(flows.length).toBeGreaterThan(0)
        expect(flows.filter((f) => f.label !== null)).toEqual([])
      }))

  it.effect("cgminer probes: flows that reached a pool's Stratum are mining, SYN-only probes have no opinion", () =>
    Effect.gen(function* () {
      const flows = yield* labelCapture("nesfit-cgminer.s1.pcapng")
      const withStratum = flows.filter((f) => f.methods?.includes("mining.") === true)
      expect(withStratum.length).toBeGreaterThan(400)
      expect(withStratum.filter((f) => f.label !== "mining")).toEqual([])
      expect(flows.filter((f) => f.methods === null && f.label !== null)).toEqual([])
    }))
})
