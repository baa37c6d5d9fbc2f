import { beforeAll, describe, expect, it } from "@effect/vitest"
import { readNumeric, readStrings, type SourceEvent } from "@hashhound/core"
import { captureEvents } from "@hashhound/flowmeter"
import { repoRoot } from "@hashhound/testkit"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateScenario, type GenerateResult } from "../src/generate/generate.js"
import { LabelIndex } from "../src/generate/label-join.js"
import { parseLabels } from "../src/generate/labels.js"
import { expertProblems, hasTshark, tshark, TSHARK_SKIP } from "./tshark.js"

const EVERY = join(repoRoot(), "test-fixtures/synthetic/every-behaviour.yaml")
const LOSSY = join(repoRoot(), "test-fixtures/synthetic/lossy-nat.yaml")
const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex")
const generate = (scenario: string, seed?: number): Promise<GenerateResult> =>
  Effect.runPromise(generateScenario({ scenario, outDir: mkdtempSync(join(tmpdir(), "hh-gen-")), seed }))

/** Label rows by behaviour, and the flows the flow meter extracts from the capture. */
const readBack = async (result: GenerateResult) => {
  const labels = parseLabels(readFileSync(result.labels[0]!, "utf8"))
  const events = await Effect.runPromise(Stream.runCollect(captureEvents(result.captures[0]!, { idleTimeoutS: 300 })))
  return { labels, events: Chunk.toReadonlyArray(events) as ReadonlyArray<SourceEvent> }
}

let every: GenerateResult
let lossy: GenerateResult

beforeAll(async () => {
  every = await generate(EVERY)
  lossy = await generate(LOSSY)
})

const MINING_PORTS: ReadonlyArray<{ behaviour: string; port: number; decode: string; methods: ReadonlyArray<string>; contains?: string }> = [
  { behaviour: "stratum_btc", port: 3333, decode: "json", methods: ["mining.subscribe", "mining.authorize", "mining.set_difficulty", "mining.notify", "mining.submit"] },
  { behaviour: "stratum_zec", port: 3357, decode: "json", methods: ["mining.subscribe", "mining.authorize", "mining.set_target", "mining.notify"], contains: "mining.submit" },
  { behaviour: "xmrig", port: 5555, decode: "json", methods: ["login", "job", "submit", "keepalived"] },
  { behaviour: "xmr_stak", port: 7777, decode: "json", methods: ["login", "job", "submit"] },
  { behaviour: "eth_stratum", port: 9999, decode: "json", methods: ["eth_submitLogin", "eth_getWork", "eth_submitHashrate", "eth_submitWork"] },
  { behaviour: "eth_http", port: 8545, decode: "http", methods: ["eth_getWork", "eth_submitHashrate", "eth_submitWork"] }
]

describe("generated captures", () => {
  it("write a pcap and a labels file covering every behaviour", () => {
    const { rows, bad } = parseLabels(readFileSync(every.labels[0]!, "utf8"))
    expect(bad).toEqual([])
    const behaviours = new Set(rows.map((r) => `${r.label}:${r.behaviour}`))
    for (const expected of [
      "mining:stratum_btc", "mining:stratum_zec", "mining:xmrig", "mining:xmr_stak", "mining:eth_stratum", "mining:eth_http", "mining:xmrig_tls",
      "benign:web_browsing", "benign:video_streaming", "benign:software_update", "benign:jsonrpc_api", "benign:websocket_chat", "benign:cloud_sync",
      "benign:ssh_interactive", "benign:ssh_bulk", "benign:dns", "benign:ntp", "benign:mqtt_iot"
    ]) expect(behaviours, expected).toContain(expected)
    expect(every.packets).toBeGreaterThan(1000)
    expect(readFileSync(every.captures[0]!).length).toBe(every.bytes)
  })

  it("are byte-identical for one seed and differ for another", async () => {
    const again = await generate(EVERY)
    expect(sha(again.captures[0]!)).toBe(sha(every.captures[0]!))
    expect(sha(again.labels[0]!)).toBe(sha(every.labels[0]!))
    const other = await generate(EVERY, 43)
    expect(sha(other.captures[0]!)).not.toBe(sha(every.captures[0]!))
  })

  it("read back through the flow meter, every flow joins one label row and every row is found", async () => {
    for (const result of [every, lossy]) {
      const { labels, events } = await readBack(result)
      const index = new LabelIndex(labels.rows)
      const findings = events.filter((e) => e._tag === "Finding")
      expect(findings).toEqual([])
      const used = new Set<unknown>()
      let flows = 0
      for (const event of events) {
        if (event._tag !== "Batch") continue
        const b = event.batch
        const src = readStrings(b, "src_ip")!
        const dst = readStrings(b, "dst_ip")!
        const sp = readNumeric(b, "src_port")!
        const dp = readNumeric(b, "dst_port")!
        const proto = readNumeric(b, "protocol")!
        const first = readNumeric(b, "first_seen_us")!
        const last = readNumeric(b, "last_seen_us")!
        for (let i = 0; i < b.numRows; i++) {
          flows++
          const row = index.find(proto[i]!, src[i]!, sp[i]!, dst[i]!, dp[i]!, first[i]!, last[i]!)
          expect(row, `${src[i]}:${sp[i]} → ${dst[i]}:${dp[i]}`).toBeDefined()
          // the flow meter's initiator is the generator's client
          expect(`${src[i]}:${sp[i]}`).toBe(`${row!.srcIp}:${row!.srcPort}`)
          expect(first[i]).toBeGreaterThanOrEqual(row!.firstSeenUs)
          expect(last[i]).toBeLessThanOrEqual(row!.lastSeenUs)
          used.add(row)
        }
      }
      expect(used.size).toBe(labels.rows.length)
      expect(flows).toBe(labels.rows.length)
    }
  })

  it("put hosts behind NAT on the gateway's address with rewritten ports", () => {
    const { rows } = parseLabels(readFileSync(lossy.labels[0]!, "utf8"))
    expect(new Set(rows.map((r) => r.srcIp))).toEqual(new Set(["203.0.113.77"]))
    for (const r of rows) {
      expect(r.srcPort).toBeGreaterThanOrEqual(40000)
      expect(r.srcPort).toBeLessThanOrEqual(40100)
    }
  })
})

describe.skipIf(!hasTshark())(hasTshark() ? "generated captures in tshark" : `generated captures in tshark [${TSHARK_SKIP}]`, () => {
  it("decode the JSON-RPC of every mining behaviour", () => {
    const { rows } = parseLabels(readFileSync(every.labels[0]!, "utf8"))
    const decodeAs = MINING_PORTS.flatMap((m) => ["-d", `tcp.port==${m.port},${m.decode}`])
    const out = tshark(["-r", every.captures[0]!, ...decodeAs, "-Y", "json || tcp.payload contains \"mining.submit\"", "-T", "fields", "-E", "aggregator=|",
      "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "json.member_with_value", "-e", "tcp.payload"])
    expect(out.warnings).toEqual([])
    const lines = out.stdout.split("\n").map((line) => line.split("\t"))
    for (const m of MINING_PORTS) {
      const server = rows.find((r) => r.behaviour === m.behaviour)!.dstIp
      const mine = lines.filter((f) => (f[0] === server || f[1] === server) && (f[2] === String(m.port) || f[3] === String(m.port)))
      const seen = new Set(mine.flatMap((f) => (f[4] ?? "").split("|")).filter((v) => v.startsWith("method:")).map((v) => v.slice(7)))
      for (const method of m.methods) expect(seen, `${m.behaviour} ${method}`).toContain(method)
      if (m.contains !== undefined) {
        const hex = Buffer.from(m.contains).toString("hex")
        expect(mine.some((f) => (f[5] ?? "").includes(hex)), `${m.behaviour} ${m.contains}`).toBe(true)
      }
    }
  })

  it("show TLS mining as a TLS session with the pool's SNI and application data", () => {
    const out = tshark(["-r", every.captures[0]!, "-d", "tcp.port==14433,tls", "-Y", "tcp.port==14433 && tls", "-T", "fields", "-e", "tls.handshake.extensions_server_name", "-e", "tls.record.content_type"])
    expect(out.warnings).toEqual([])
    expect(out.stdout).toContain("tls.pool.example")
    expect(out.stdout.split("\n").filter((l) => l.includes("23")).length).toBeGreaterThan(5)
    const problems = expertProblems(every.captures[0]!, ["-d", "tcp.port==14433,tls"])
    // a session may end with RST (reset_probability), which Wireshark notes as a warning
    expect([...problems.keys()].filter((k) => !k.includes("packet legnth") && k !== "Connection reset (RST)")).toEqual([])
  })

  it("have valid checksums, no malformed packets and no TCP inconsistencies (lossless scenario)", () => {
    const pcap = every.captures[0]!
    const checks = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    const bad = tshark(["-r", pcap, ...checks, "-Y", "ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0 || _ws.malformed || tcp.analysis.flags && !tcp.analysis.window_update"])
    expect(bad.warnings).toEqual([])
    expect(bad.stdout).toBe("")
    // allowed: sessions ended by RST (by design), and Wireshark 4.0's own limitation: it does not
    // decode ECDSA/Ed25519 SSH host-key signatures and warns on every real OpenSSH session too
    const problems = expertProblems(pcap)
    expect([...problems.keys()].filter((k) => !(k.startsWith("Decoded") && k.includes("but packet legnth")) && k !== "Connection reset (RST)")).toEqual([])
  })

  it("keep loss consistent: retransmissions and duplicate ACKs, never an ACK for unseen data", () => {
    const out = tshark(["-r", lossy.captures[0]!, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "tcp.analysis.flags || _ws.malformed", "-T", "fields",
      "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.fast_retransmission", "-e", "tcp.analysis.duplicate_ack", "-e", "tcp.analysis.ack_lost_segment",
      "-e", "tcp.analysis.spurious_retransmission", "-e", "tcp.analysis.zero_window", "-e", "_ws.malformed"])
    expect(out.warnings).toEqual([])
    const lines = out.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"))
    const count = (...columns: ReadonlyArray<number>): number => lines.filter((f) => columns.some((c) => (f[c] ?? "") !== "")).length
    expect(count(0, 1)).toBeGreaterThan(10)
    expect(count(2)).toBeGreaterThan(10)
    expect(count(3, 4, 5, 6)).toBe(0)
  })
})

