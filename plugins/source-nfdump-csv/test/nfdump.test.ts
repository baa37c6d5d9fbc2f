import { it } from "@effect/vitest"
import { contractViolations, readNumeric, readStrings, type SourceEvent } from "@hashhound/core"
import { csvHeaderNames, describeFixtures, fixture, fixturesDir, goldenCases, readSource, sourceContract, sourceGoldenRun, unnamedColumns } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { parse } from "yaml"
import { nfdumpSource, plugins } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), "hh-nfdump-"))
const write = (name: string, text: string): string => {
  writeFileSync(join(tmp, name), text)
  return name
}
const readFile = (name: string, extra: Record<string, unknown> = {}) =>
  Effect.map(readSource(nfdumpSource, { paths: [name], ...extra }, tmp), (read) => read.events[0]!.events)
const batchesOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Batch" ? [e.batch] : []))
const findingsOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))
const column = (events: ReadonlyArray<SourceEvent>, name: string): Array<number> =>
  batchesOf(events).flatMap((batch) => Array.from(readNumeric(batch, name) ?? []))
const strings = (events: ReadonlyArray<SourceEvent>, name: string): Array<string | null> =>
  batchesOf(events).flatMap((batch) => readStrings(batch, name) ?? [])

const HEADER =
  "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr"
const TAIL =
  "0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,0.0.0.0,0/0,0,1970-01-01 00:00:00.000"
/** One nfdump CSV row; `out` gives opkt/obyt for bidirectional records. */
const rec = (ts: string, td: string, sa: string, da: string, sp: number, dp: number, pr: string, flg: string, pkt: number, byt: number, out = [0, 0], svln = 0) =>
  `${ts},${ts},${td},${sa},${da},${sp},${dp},${pr},${flg},0,0,${pkt},${byt},${out[0]},${out[1]},${TAIL.replace(/^((?:[^,]*,){10})0/, `$1${svln}`)}`
const summary = (flows: number, bytes: number, packets: number) => `Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n${flows},${bytes},${packets},0,0,0`

describe("source.nfdump-csv", () => {
  it("decodes its example.yaml", () => {
    expect(contractViolations(nfdumpSource)).toEqual([])
    expect(plugins).toEqual([nfdumpSource])
    const { type, ...rest } = parse(readFileSync(join(here, "..", "example.yaml"), "utf8")) as Record<string, unknown>
    expect(type).toBe("source.nfdump-csv")
    expect(Either.isRight(nfdumpSource.decode(rest))).toBe(true)
    expect(Either.isLeft(nfdumpSource.decode({ paths: ["x"], pair: true }))).toBe(true)
  })

  it.effect("pairs reverse records that overlap, marks lone and crowded ones, keeps the initiator as src", () =>
    Effect.gen(function* () {
      const name = write(
        "pairs.csv",
        [
          HEADER,
          // server → client printed first, same second: the client (lower dst port side) is src
          rec("2017-01-17 12:17:01", "10.500", "185.71.66.39", "147.229.13.222", 9999, 49307, "TCP", "...AP.S.", 10, 2000),
          rec("2017-01-17 12:17:01", "10.700", "147.229.13.222", "185.71.66.39", 49307, 9999, "TCP", "...AP.SF", 12, 900),
          // a SYN with no answer
          rec("2017-01-17 12:17:05", "0.000", "10.0.0.1", "10.0.0.2", 40000, 22, "TCP", "......S.", 1, 60),
          // one reverse record overlapping two forward ones: ambiguous, all three stay one-way
          rec("2017-01-17 12:18:00", "30.000", "10.0.0.3", "10.0.0.4", 5353, 5353, "UDP", "........", 3, 300),
          rec("2017-01-17 12:18:10", "30.000", "10.0.0.3", "10.0.0.4", 5353, 5353, "UDP", "........", 3, 300),
          rec("2017-01-17 12:18:05", "30.000", "10.0.0.4", "10.0.0.3", 5353, 5353, "UDP", "........", 2, 200),
          // ICMP echo and reply differ in dp (type*256+code) but pair by addresses
          rec("2017-01-17 12:19:00", "0.000", "10.0.0.5", "10.0.0.6", 0, 2048, "ICMP", "........", 1, 84),
          rec("2017-01-17 12:19:00", "0.000", "10.0.0.6", "10.0.0.5", 0, 0, "ICMP", "........", 1, 84),
          // a bidirectional record (out-counters) passes through as it is
          rec("2017-01-17 12:20:00", "1.000", "10.0.0.7", "10.0.0.8", 1234, 53, "UDP", "........", 1, 70, [1, 130], 42),
          summary(9, 2000 + 900 + 60 + 300 + 300 + 200 + 84 + 84 + 200, 10 + 12 + 1 + 3 + 3 + 2 + 1 + 1 + 2)
        ].join("\n")
      )
      const events = yield* readFile(name)
      // the bidirectional record is written at once; one-way records when their connection is decided
      expect(strings(events, "biflow_pairing")).toEqual([null, "paired", "unpaired", "ambiguous", "ambiguous", "ambiguous", "paired"])
      expect(strings(events, "src_ip")).toEqual(["10.0.0.7", "147.229.13.222", "10.0.0.1", "10.0.0.3", "10.0.0.3", "10.0.0.4", "10.0.0.5"])
      expect(column(events, "fwd_packets")).toEqual([1, 12, 1, 3, 3, 2, 1])
      expect(column(events, "bwd_packets")).toEqual([1, 10, 0, Number.NaN, Number.NaN, Number.NaN, 1])
      expect(column(events, "bwd_bytes")).toEqual([130, 2000, 0, Number.NaN, Number.NaN, Number.NaN, 84])
      expect(column(events, "src_port")).toEqual([1234, 49307, 40000, 5353, 5353, 5353, Number.NaN])
      expect(column(events, "protocol")).toEqual([17, 6, 6, 17, 17, 17, 1])
      expect(column(events, "vlan_id")).toEqual([42, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN])
      // F only in one direction is not a finished connection; nothing reset
      expect(strings(events, "end_reason")).toEqual([null, null, null, null, null, null, null])
      // pair: first 12:17:01, last = the later of the two ends
      expect(column(events, "first_seen_us")[1]).toBe(Date.UTC(2017, 0, 17, 12, 17, 1) * 1000)
      expect(column(events, "duration_s")[1]).toBe(10.7)
      const checked = findingsOf(events).find((f) => f.code === "summary_checked")
      expect(checked?.message).toContain("9 flows, 4128 bytes, 35 packets")
    }))

  it.effect("decides a connection once the export has moved pairing_window_s past it, and caps pending records", () =>
    Effect.gen(function* () {
      // a request at 12:00, then 5000 answered connections from 13:00, then the late answer
      const lines = [HEADER, rec("2017-01-17 12:00:00", "1.000", "10.0.0.1", "10.0.0.2", 39999, 80, "TCP", "...A..SF", 3, 200)]
      for (let i = 0; i < 5000; i++) {
        const ts = `2017-01-17 13:${String(Math.floor(i / 100)).padStart(2, "0")}:00`
        lines.push(rec(ts, "1.000", "10.0.1.1", "10.0.1.2", 10000 + i, 80, "TCP", "...A..SF", 3, 200))
        lines.push(rec(ts, "1.000", "10.0.1.2", "10.0.1.1", 80, 10000 + i, "TCP", "...A..SF", 2, 100))
      }
      lines.push(rec("2017-01-17 12:00:00", "1.000", "10.0.0.2", "10.0.0.1", 80, 39999, "TCP", "...A..SF", 2, 100))
      const name = write("window.csv", lines.join("\n"))
      const pairingOf = (events: ReadonlyArray<SourceEvent>) => {
        const ports = column(events, "src_port")
        const pairing = strings(events, "biflow_pairing")
        return ports.flatMap((port, row) => (port === 39999 || port === 80 ? [pairing[row]] : []))
      }
      const byDefault = yield* readFile(name)
      expect(column(byDefault, "src_port").length).toBe(5002)
      expect(pairingOf(byDefault)).toEqual(["unpaired", "unpaired"])
      const wide = yield* readFile(name, { pairing_window_s: 7200 })
      expect(column(wide, "src_port").length).toBe(5001)
      expect(pairingOf(wide)).toEqual(["paired"])
      expect(strings(wide, "end_reason").every((r) => r === "fin")).toBe(true)
      // at most 100 records held: the oldest connections are decided early; the back-to-back
      // pairs are complete by then, only the 12:00 request loses its late answer
      const capped = yield* readFile(name, { pairing_window_s: 7200, max_pending_records: 100 })
      expect(findingsOf(capped).find((f) => f.code === "pairing_forced")?.count).toBeGreaterThan(4000)
      expect(pairingOf(capped)).toEqual(["unpaired", "unpaired"])
      expect(strings(capped, "biflow_pairing").filter((p) => p === "paired").length).toBe(5000)
    }))

  it.effect("keeps reading after a truncated line, a non-numeric cell and a wrong column count; the Summary then disagrees", () =>
    Effect.gen(function* () {
      const good = rec("2018-01-12 15:37:30", "0.000", "147.32.80.119", "147.32.82.62", 52324, 902, "TCP", "......S.", 1, 60)
      const name = write(
        "bad.csv",
        [
          HEADER,
          good,
          good.slice(0, 60),
          good.replace(",1,60,", ",one,60,"),
          `${good},extra`,
          rec("2018-01-12 15:37:30", "0.000", "147.32.82.62", "147.32.80.119", 902, 52324, "TCP", "...A.R..", 1, 40),
          summary(5, 260, 5)
        ].join("\n")
      )
      const events = yield* readFile(name)
      expect(strings(events, "biflow_pairing")).toEqual(["paired"])
      expect(strings(events, "end_reason")).toEqual(["rst"])
      const bad = findingsOf(events).filter((f) => f.code === "malformed_row")
      expect(bad.map((f) => f.message)).toEqual([
        `line 3: expected 48 cells, found ${good.slice(0, 60).split(",").length}`,
        'line 4: ipkt "one" is not a count',
        "line 5: expected 48 cells, found 49"
      ])
      expect(bad[1]!.offset).toBe(readFileSync(join(tmp, name), "utf8").indexOf(good.replace(",1,60,", ",one,60,")))
      const mismatch = findingsOf(events).find((f) => f.code === "summary_mismatch")
      expect(mismatch?.message).toBe(
        "Summary block (line 9) disagrees: flows 5 but 2 records read; bytes 260 but 100 read; packets 5 but 2 read (3 malformed rows not read)"
      )
    }))

  it.effect("refuses a file of another format with a clear InputError", () =>
    Effect.gen(function* () {
      const name = write("flows.binetflow", "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport\n")
      const error = yield* Effect.flip(readFile(name))
      expect(error._tag).toBe("InputError")
      expect(error.message).toContain("not an nfdump CSV")
      expect(error.message).toContain("lacks ts, sa, da, pr, ipkt, ibyt, td")
    }))
})

describeFixtures("source.nfdump-csv on real exports", () => {
  // testkit's source contract (README sections and config keys, example.yaml, stable plan, finite and
  // interruptible reads, released file handles, batch indices, catalogue columns, tagged error on a
  // missing input) on a real export
  sourceContract(nfdumpSource, {
    exampleYaml: join(here, "..", "example.yaml"),
    input: { config: { paths: ["flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv"] }, baseDir: fixturesDir() }
  })

  it("the README's Output columns table names every column of the real exports' headers", () => {
    const headerOf = (path: string) => csvHeaderNames(fixture(path))
    const columns = new Set(
      [
        "flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv",
        ...["nesfit-cgminer.s0", "nesfit-eth-eu1.nanopool.org", "peafowl-monero", "peafowl-stratum"].map((name) => `flows/generated-from-mining-pcaps/${name}.nfdump.csv`)
      ].flatMap(headerOf)
    )
    expect(columns.size).toBe(48)
    expect(unnamedColumns(join(here, "..", "README.md"), columns)).toEqual([])
  })

  goldenCases(join(here, "..", "testcases"), sourceGoldenRun(nfdumpSource, fixturesDir()))

  it("detects nfdump CSV from the header and nothing else", () => {
    const head = (path: string) => new Uint8Array(readFileSync(fixture(path)).subarray(0, 65_536))
    expect(nfdumpSource.detect!(head("flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv"), "x")).toBeGreaterThanOrEqual(0.9)
    for (const other of [
      "flows/argus/slips-test2-malicious.binetflow",
      "flows/zeek/brimdata-zed-conn.log",
      "flows/zeek/slips-test9-conn-json.log",
      "flows/cicids2017/improved-BENIGN_2500.csv",
      "flows/cicids2017/python-cicflowmeter-new_flows.csv"
    ]) {
      expect(nfdumpSource.detect!(head(other), "x.csv"), other).toBe(0)
    }
  })

  /**
   * The same traffic read two ways: this adapter's flows (pairs and leftovers) against argus's
   * records of the same pcap, parsed here directly (no plugin involved). Per connection
   * (protocol and unordered endpoints; ICMP by addresses) the packets each endpoint sent must
   * agree; see the argus adapter's test for bytes (argus counts link-layer frame bytes).
   */
  it.effect("agrees with argus on packets per endpoint of each connection", () =>
    Effect.gen(function* () {
      const result: Record<string, { connections: number; agree: number }> = {}
      for (const name of ["peafowl-monero", "peafowl-stratum", "nesfit-eth-eu1.nanopool.org", "nesfit-cgminer.s0"]) {
        const base = "flows/generated-from-mining-pcaps"
        const sent = new Map<string, Map<string, number>>()
        const add = (table: Map<string, Map<string, number>>, key: string, endpoint: string, packets: number) => {
          const conn = table.get(key) ?? new Map<string, number>()
          table.set(key, conn)
          if (packets > 0) conn.set(endpoint, (conn.get(endpoint) ?? 0) + packets)
        }
        const keyOf = (protocol: number, a: string, ap: number, b: string, bp: number) => {
          const icmp = protocol === 1 || protocol === 58
          return `${protocol} ${[icmp ? a : `${a}|${ap}`, icmp ? b : `${b}|${bp}`].sort().join(" ")}`
        }
        const [unit] = (yield* readSource(nfdumpSource, { paths: [`${base}/${name}.nfdump.csv`] }, fixturesDir())).events
        for (const batch of batchesOf(unit!.events)) {
          const src = readStrings(batch, "src_ip")!
          const dst = readStrings(batch, "dst_ip")!
          const sp = readNumeric(batch, "src_port")!
          const dp = readNumeric(batch, "dst_port")!
          const pr = readNumeric(batch, "protocol")!
          const fp = readNumeric(batch, "fwd_packets")!
          const bp = readNumeric(batch, "bwd_packets")!
          for (let row = 0; row < batch.numRows; row++) {
            const key = keyOf(pr[row]!, src[row]!, sp[row]!, dst[row]!, dp[row]!)
            add(sent, key, src[row]!, fp[row]!)
            if (!Number.isNaN(bp[row]!)) add(sent, key, dst[row]!, bp[row]!)
          }
        }
        const argus = new Map<string, Map<string, number>>()
        const lines = readFileSync(fixture(`${base}/${name}.argus-ra.csv`), "utf8").trim().split("\n")
        const header = lines[0]!.split(",")
        const protocols: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, "ipv6-icmp": 58 }
        for (const line of lines.slice(1)) {
          const cells = line.split(",")
          const at = (field: string) => cells[header.indexOf(field)]!.trim()
          const protocol = protocols[at("Proto")]
          if (protocol === undefined) continue // argus's non-IP records
          const key = keyOf(protocol, at("SrcAddr"), Number(at("Sport")), at("DstAddr"), Number(at("Dport")))
          add(argus, key, at("SrcAddr"), Number(at("SrcPkts")))
          add(argus, key, at("DstAddr"), Number(at("TotPkts")) - Number(at("SrcPkts")))
        }
        const flat = (conn: Map<string, number> | undefined) => [...(conn ?? new Map()).entries()].sort().join(" ")
        let agree = 0
        for (const [key, conn] of sent) if (flat(conn) === flat(argus.get(key))) agree++
        result[name] = { connections: sent.size, agree }
      }
      expect(result).toEqual({
        "peafowl-monero": { connections: 1, agree: 1 },
        "peafowl-stratum": { connections: 2, agree: 2 },
        "nesfit-eth-eu1.nanopool.org": { connections: 1, agree: 1 },
        // 192.168.1.100:54807 ↔ 162.125.18.133:443: nfdump has one packet (0 bytes) from the
        // client that argus does not count
        "nesfit-cgminer.s0": { connections: 318, agree: 317 }
      })
    }))
})
