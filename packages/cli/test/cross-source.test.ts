/**
 * The same traffic read two ways: a capture through `source.pcap` and that capture's export
 * (argus, nfdump, Zeek) through the export's source. Per connection (unordered endpoints,
 * ports and protocol, summed over the records a tool splits a connection into) the packet and
 * byte counts must agree; every allowed difference is named with the rule behind it.
 *
 * Rule "TSO super-frame": a capture taken on a host with segmentation offload holds IP packets
 * longer than the 1500-byte Ethernet MTU (nesfit-cgminer.s0 has one of 1651 bytes). nfdump
 * counts such a packet but not its bytes; argus drops it altogether. hashhound counts it whole,
 * as tshark does, so for a connection with one such packet the exports are short by exactly it.
 */
import { PluginRegistry, type FlowBatch } from "@hashhound/core"
import { describeFixtures, fixture, readSource, rowsOf } from "@hashhound/testkit"
import { it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { dirname } from "node:path"
import { expect } from "vitest"
import { builtinRegistryLayer } from "../src/builtin-plugins.js"

interface Totals {
  packets: number
  ipBytes: number
  records: number
  /** longest IP packet of the connection */
  maxLen: number
}

const MTU = 1500

const connectionKey = (row: Record<string, unknown>): string => {
  const a = `${String(row["src_ip"])}|${String(row["src_port"] ?? "")}`
  const b = `${String(row["dst_ip"])}|${String(row["dst_port"] ?? "")}`
  return `${String(row["protocol"])} ${a < b ? `${a} ${b}` : `${b} ${a}`}`
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value))

const perConnection = (id: string, path: string): Effect.Effect<Map<string, Totals>, unknown, PluginRegistry> =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    const plugin = yield* registry.getKind(id, "source")
    const read = yield* readSource(plugin, { paths: [path] }, dirname(path))
    const totals = new Map<string, Totals>()
    for (const { events } of read.events) {
      for (const event of events) {
        if (event._tag !== "Batch") continue
        for (const row of rowsOf(event.batch as FlowBatch)) {
          const key = connectionKey(row)
          const entry = totals.get(key) ?? { packets: 0, ipBytes: 0, records: 0, maxLen: 0 }
          entry.maxLen = Math.max(entry.maxLen, num(row["pkt_len_max"]))
          entry.packets += num(row["fwd_packets"]) + num(row["bwd_packets"])
          entry.ipBytes += num(row["fwd_bytes"]) + num(row["bwd_bytes"])
          entry.records += 1
          totals.set(key, entry)
        }
      }
    }
    return totals
  })

const registry = Layer.orDie(builtinRegistryLayer())

const MINING = ["peafowl-stratum.pcap", "peafowl-monero.pcap", "nesfit-eth-eu1.nanopool.org.pcapng", "nesfit-cgminer.s0.pcapng"]
const exportOf = (capture: string, tool: "argus-ra" | "nfdump"): string =>
  fixture(`flows/generated-from-mining-pcaps/${capture.replace(/\.pcap(ng)?$/, "")}.${tool}.csv`)

describeFixtures("the same traffic as a capture and as its exports", () => {
  for (const capture of MINING) {
    it.effect(`${capture}: nfdump agrees with the pcap on packets and IP bytes per connection`, () =>
      Effect.gen(function* () {
        const pcap = yield* perConnection("source.pcap", fixture(`mining/${capture}`))
        const nfdump = yield* perConnection("source.nfdump-csv", exportOf(capture, "nfdump"))
        const differences: Array<string> = []
        const tso: Array<string> = []
        for (const [key, theirs] of nfdump) {
          const ours = pcap.get(key)
          if (ours === undefined) differences.push(`${key}: only in nfdump`)
          else if (ours.maxLen > MTU && ours.packets === theirs.packets && ours.ipBytes - theirs.ipBytes === ours.maxLen) {
            tso.push(key) // rule "TSO super-frame": the packet is counted, its bytes are not
          } else if (ours.packets !== theirs.packets || ours.ipBytes !== theirs.ipBytes) {
            differences.push(`${key}: pcap ${ours.packets} pkts ${ours.ipBytes} B, nfdump ${theirs.packets} pkts ${theirs.ipBytes} B`)
          }
        }
        expect(differences).toEqual([])
        expect(tso).toEqual(capture === "nesfit-cgminer.s0.pcapng" ? ["6 162.125.18.133|443 192.168.1.100|54807"] : [])
        expect(nfdump.size).toBeGreaterThan(0)
      }).pipe(Effect.provide(registry))
    )

    it.effect(`${capture}: argus agrees on packets; its bytes are frame bytes (IP bytes + 14 per packet + padding)`, () =>
      Effect.gen(function* () {
        const pcap = yield* perConnection("source.pcap", fixture(`mining/${capture}`))
        const argus = yield* perConnection("source.argus", exportOf(capture, "argus-ra"))
        const differences: Array<string> = []
        const tso: Array<string> = []
        for (const [key, theirs] of argus) {
          const ours = pcap.get(key)
          if (ours === undefined) {
            differences.push(`${key}: only in argus`)
            continue
          }
          // rule "TSO super-frame": argus drops the oversized packet altogether
          const dropped = ours.maxLen > MTU ? 1 : 0
          const packets = ours.packets - dropped
          if (dropped > 0) tso.push(key)
          if (packets !== theirs.packets) differences.push(`${key}: pcap ${ours.packets} pkts, argus ${theirs.packets} pkts`)
          // Ethernet frames are at least 60 bytes: padding makes argus' count larger, never smaller
          const framed = ours.ipBytes - dropped * ours.maxLen + 14 * packets
          if (theirs.ipBytes < framed || theirs.ipBytes > framed + 46 * packets) {
            differences.push(`${key}: pcap ${framed} frame bytes, argus ${theirs.ipBytes} B`)
          }
        }
        expect(differences).toEqual([])
        expect(tso).toEqual(capture === "nesfit-cgminer.s0.pcapng" ? ["6 162.125.18.133|443 192.168.1.100|54807"] : [])
      }).pipe(Effect.provide(registry))
    )
  }

  it.effect("infectedPCAP: the Zeek conn.log agrees with the pcap on packets and IP bytes per connection", () =>
    Effect.gen(function* () {
      const pcap = yield* perConnection("source.pcap", fixture("normal/infectedPCAP-infected.pcap"))
      const zeek = yield* perConnection("source.zeek-conn", fixture("flows/zeek/infectedPCAP-conn.log"))
      expect(zeek.size).toBe(15)
      const differences: Array<string> = []
      for (const [key, theirs] of zeek) {
        const ours = pcap.get(key)
        if (ours === undefined) differences.push(`${key}: only in Zeek`)
        else if (ours.packets !== theirs.packets || ours.ipBytes !== theirs.ipBytes) {
          differences.push(`${key}: pcap ${ours.packets} pkts ${ours.ipBytes} B, zeek ${theirs.packets} pkts ${theirs.ipBytes} B`)
        }
      }
      expect(differences).toEqual([])
    }).pipe(Effect.provide(registry))
  )
})
