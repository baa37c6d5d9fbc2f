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
import { cicTimeMicros } from "../src/cic-format.js"
import { cicflowmeterSource, plugins } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), "hh-cic-"))
const write = (name: string, text: string): string => {
  writeFileSync(join(tmp, name), text)
  return name
}
const readFile = (name: string, extra: Record<string, unknown> = {}) =>
  Effect.map(readSource(cicflowmeterSource, { paths: [name], ...extra }, tmp), (read) => read.events[0]!.events)
const batchesOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Batch" ? [e.batch] : []))
const findingsOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))
const column = (events: ReadonlyArray<SourceEvent>, name: string): Array<number> =>
  batchesOf(events).flatMap((batch) => Array.from(readNumeric(batch, name) ?? []))
const strings = (events: ReadonlyArray<SourceEvent>, name: string): Array<string | null> =>
  batchesOf(events).flatMap((batch) => readStrings(batch, name) ?? [])

/** The header of the original CIC-IDS2017 TrafficLabelling CSVs: leading spaces, `Fwd Header Length` twice. */
const ORIGINAL_HEADER =
  "Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration, Total Fwd Packets, Total Backward Packets,Total Length of Fwd Packets, Total Length of Bwd Packets, Fwd Packet Length Max, Fwd Packet Length Min, Fwd Packet Length Mean, Fwd Packet Length Std,Bwd Packet Length Max, Bwd Packet Length Min, Bwd Packet Length Mean, Bwd Packet Length Std,Flow Bytes/s, Flow Packets/s, Flow IAT Mean, Flow IAT Std, Flow IAT Max, Flow IAT Min,Fwd IAT Total, Fwd IAT Mean, Fwd IAT Std, Fwd IAT Max, Fwd IAT Min,Bwd IAT Total, Bwd IAT Mean, Bwd IAT Std, Bwd IAT Max, Bwd IAT Min,Fwd PSH Flags, Bwd PSH Flags, Fwd URG Flags, Bwd URG Flags, Fwd Header Length, Bwd Header Length,Fwd Packets/s, Bwd Packets/s, Min Packet Length, Max Packet Length, Packet Length Mean, Packet Length Std, Packet Length Variance,FIN Flag Count, SYN Flag Count, RST Flag Count, PSH Flag Count, ACK Flag Count, URG Flag Count, CWE Flag Count, ECE Flag Count, Down/Up Ratio, Average Packet Size, Avg Fwd Segment Size, Avg Bwd Segment Size, Fwd Header Length,Fwd Avg Bytes/Bulk, Fwd Avg Packets/Bulk, Fwd Avg Bulk Rate, Bwd Avg Bytes/Bulk, Bwd Avg Packets/Bulk,Bwd Avg Bulk Rate,Subflow Fwd Packets, Subflow Fwd Bytes, Subflow Bwd Packets, Subflow Bwd Bytes,Init_Win_bytes_forward, Init_Win_bytes_backward, act_data_pkt_fwd, min_seg_size_forward,Active Mean, Active Std, Active Max, Active Min,Idle Mean, Idle Std, Idle Max, Idle Min, Label"
const NAMES = ORIGINAL_HEADER.split(",").map((name) => name.trim())

/** A row in the original layout: every cell 0 except those given (the first of duplicated names). */
const originalRow = (values: Record<string, string | number>): string => {
  const cells = NAMES.map(() => "0")
  for (const [name, value] of Object.entries(values)) cells[NAMES.indexOf(name)] = String(value)
  return cells.join(",")
}

const HTTPS = {
  "Flow ID": "192.168.10.5-104.16.207.165-54865-443-6",
  "Source IP": "192.168.10.5",
  "Source Port": 54865,
  "Destination IP": "104.16.207.165",
  "Destination Port": 443,
  Protocol: 6,
  Timestamp: "7/7/2017 3:30",
  "Flow Duration": 3_000_000,
  "Total Fwd Packets": 4,
  "Total Backward Packets": 2,
  "Total Length of Fwd Packets": 600,
  "Total Length of Bwd Packets": 1000,
  "Fwd Packet Length Max": 300,
  "Fwd Packet Length Min": 0,
  "Fwd Packet Length Mean": 150,
  "Fwd Packet Length Std": 10,
  "Bwd Packet Length Max": 600,
  "Bwd Packet Length Min": 400,
  "Bwd Packet Length Mean": 500,
  "Bwd Packet Length Std": 141.4,
  "Flow Bytes/s": "Infinity",
  "Flow Packets/s": "NaN",
  "Flow IAT Mean": 600_000,
  "Flow IAT Max": 2_000_000,
  "Fwd IAT Mean": 1_000_000,
  "Bwd IAT Mean": 500_000,
  "Fwd PSH Flags": 1,
  "Fwd Header Length": 96,
  "Bwd Header Length": 40,
  "Min Packet Length": 0,
  "Max Packet Length": 600,
  "Packet Length Mean": 266.7,
  "Packet Length Std": 5,
  "Init_Win_bytes_forward": 29200,
  "Init_Win_bytes_backward": -1,
  Label: "DDoS"
}

describe("source.cicflowmeter-csv", () => {
  it("decodes its example.yaml", () => {
    expect(contractViolations(cicflowmeterSource)).toEqual([])
    expect(plugins).toEqual([cicflowmeterSource])
    const { type, ...rest } = parse(readFileSync(join(here, "..", "example.yaml"), "utf8")) as Record<string, unknown>
    expect(type).toBe("source.cicflowmeter-csv")
    expect(Either.isRight(cicflowmeterSource.decode(rest))).toBe(true)
    expect(Either.isLeft(cicflowmeterSource.decode({ paths: ["x"], date_order: "ymd" }))).toBe(true)
  })

  it("reads CIC timestamps: ISO, day-first slashed, 12-hour with AM/PM, and a zone offset", () => {
    const utc = (...parts: [number, number, number, number, number, number]) => Date.UTC(...parts) * 1000
    expect(cicTimeMicros("7/7/2017 3:30", "dmy", 0)).toBe(utc(2017, 6, 7, 3, 30, 0))
    expect(cicTimeMicros("3/7/2017 8:55:58", "dmy", 0)).toBe(utc(2017, 6, 3, 8, 55, 58))
    expect(cicTimeMicros("3/7/2017 8:55:58", "mdy", 0)).toBe(utc(2017, 2, 7, 8, 55, 58))
    expect(cicTimeMicros("7/7/2017 3:30:12 PM", "dmy", 0)).toBe(utc(2017, 6, 7, 15, 30, 12))
    expect(cicTimeMicros("07/07/2017 12:05:00 AM", "dmy", 0)).toBe(utc(2017, 6, 7, 0, 5, 0))
    expect(cicTimeMicros("2017-07-07 12:59:21.088203", "dmy", -180)).toBe(utc(2017, 6, 7, 15, 59, 21) + 88_203)
    expect(cicTimeMicros("13/13/2017 3:30", "dmy", 0)).toBeNaN()
  })

  it.effect("maps the original CIC-IDS2017 layout: leading spaces, duplicated column, Infinity/NaN, µs, -1 windows", () =>
    Effect.gen(function* () {
      const name = write(
        "original.csv",
        [
          ORIGINAL_HEADER,
          originalRow(HTTPS),
          originalRow({ ...HTTPS, "Fwd Header Length": -1_073_741_728, Timestamp: "7/7/2017 3:30:12 PM", "Flow Duration": -1, "Total Backward Packets": 0 }),
          originalRow({ ...HTTPS, Protocol: 17, "Source Port": 53, "Init_Win_bytes_forward": 5, Label: "BENIGN" }),
          ",".repeat(84),
          ",".repeat(84),
          ""
        ].join("\r\n")
      )
      const events = yield* readFile(name)
      expect(column(events, "fwd_packets")).toEqual([4, 4, 4])
      expect(column(events, "duration_s")).toEqual([3, Number.NaN, 3])
      expect(column(events, "first_seen_us")).toEqual([
        Date.UTC(2017, 6, 7, 3, 30) * 1000,
        Date.UTC(2017, 6, 7, 15, 30, 12) * 1000,
        Date.UTC(2017, 6, 7, 3, 30) * 1000
      ])
      expect(column(events, "last_seen_us")[0]).toBe(Date.UTC(2017, 6, 7, 3, 30, 3) * 1000)
      // payload totals as they are; IP bytes = payload + transport headers + 20 per IPv4 packet
      expect(column(events, "fwd_payload_bytes")).toEqual([600, 600, 600])
      expect(column(events, "fwd_bytes")).toEqual([600 + 96 + 80, Number.NaN, 600 + 96 + 80])
      expect(column(events, "bwd_bytes")).toEqual([1000 + 40 + 40, 1000 + 40 + 0, 1000 + 40 + 40])
      // per-packet header 96/4 + 20 = 44 forward, 40/2 + 20 = 40 backward, 136/6 + 20 both
      expect(column(events, "fwd_pkt_len_min")[0]).toBe(44)
      expect(column(events, "fwd_pkt_len_max")[0]).toBe(344)
      expect(column(events, "fwd_pkt_len_std")[0]).toBe(10)
      expect(column(events, "bwd_pkt_len_mean")).toEqual([540, Number.NaN, 540])
      expect(column(events, "pkt_len_max")[0]).toBeCloseTo(600 + 136 / 6 + 20, 9)
      expect(column(events, "iat_mean_s")[0]).toBe(0.6)
      expect(column(events, "iat_max_s")[0]).toBe(2)
      expect(column(events, "fwd_iat_mean_s")[0]).toBe(1)
      expect(column(events, "bwd_iat_mean_s")).toEqual([0.5, Number.NaN, 0.5])
      expect(column(events, "fwd_psh")).toEqual([1, 1, Number.NaN])
      expect(column(events, "fwd_init_win")).toEqual([29200, 29200, Number.NaN])
      expect(column(events, "bwd_init_win")).toEqual([Number.NaN, Number.NaN, Number.NaN])
      expect(column(events, "protocol")).toEqual([6, 6, 17])
      expect(strings(events, "label_raw")).toEqual(["DDoS", "DDoS", "BENIGN"])
      expect(findingsOf(events).map((f) => [f.code, f.count])).toEqual([
        ["negative_duration", 1],
        ["empty_row", 2]
      ])
    }))

  it.effect("keeps reading after a truncated line, a non-numeric cell and a wrong column count", () =>
    Effect.gen(function* () {
      const good = originalRow(HTTPS)
      const name = write(
        "bad.csv",
        [ORIGINAL_HEADER, good, good.slice(0, 120), originalRow({ ...HTTPS, "Total Fwd Packets": "four" }), `${good},extra`, originalRow({ ...HTTPS, "Source Port": 1 })].join("\n")
      )
      const events = yield* readFile(name)
      expect(column(events, "src_port")).toEqual([54865, 1])
      const bad = findingsOf(events).filter((f) => f.code === "malformed_row")
      expect(bad.map((f) => f.message)).toEqual([
        `line 3: expected 85 cells, found ${good.slice(0, 120).split(",").length}`,
        'line 4: Total Fwd Packets "four" is not a number',
        "line 5: expected 85 cells, found 86"
      ])
      expect(bad[0]!.offset).toBe(ORIGINAL_HEADER.length + 1 + good.length + 1)
    }))

  it.effect("reads the CICFlowMeter-V4 (CSE-CIC-IDS2018) abbreviations", () =>
    Effect.gen(function* () {
      const name = write(
        "v4.csv",
        [
          "Dst Port,Protocol,Timestamp,Flow Duration,Tot Fwd Pkts,Tot Bwd Pkts,TotLen Fwd Pkts,TotLen Bwd Pkts,Fwd Pkt Len Max,Fwd Header Len,Bwd Header Len,Init Fwd Win Byts,Init Bwd Win Byts,Label",
          "443,6,02/03/2018 08:47:38,141385,9,7,553,3773,202,192,152,8192,119,Benign"
        ].join("\n")
      )
      const events = yield* readFile(name)
      expect(column(events, "dst_port")).toEqual([443])
      expect(column(events, "first_seen_us")).toEqual([Date.UTC(2018, 2, 2, 8, 47, 38) * 1000])
      expect(column(events, "duration_s")).toEqual([0.141385])
      expect(column(events, "fwd_payload_bytes")).toEqual([553])
      // no addresses in this layout: the IP version, hence IP-layer bytes, are unknown
      expect(column(events, "fwd_bytes")).toEqual([Number.NaN])
      expect(column(events, "fwd_init_win")).toEqual([8192])
      expect(strings(events, "label_raw")).toEqual(["Benign"])
    }))

  it.effect("refuses a file of another format with a clear InputError", () =>
    Effect.gen(function* () {
      const name = write("other.csv", "ts,te,td,sa,da,sp,dp,pr\n")
      const error = yield* Effect.flip(readFile(name))
      expect(error._tag).toBe("InputError")
      expect(error.message).toContain("not a CICFlowMeter CSV")
    }))
})

describeFixtures("source.cicflowmeter-csv on real exports", () => {
  // testkit's source contract (README sections and config keys, example.yaml, stable plan, finite and
  // interruptible reads, released file handles, batch indices, catalogue columns, tagged error on a
  // missing input) on a real export
  sourceContract(cicflowmeterSource, {
    exampleYaml: join(here, "..", "example.yaml"),
    input: { config: { paths: ["flows/cicids2017/improved-BENIGN_2500.csv"] }, baseDir: fixturesDir() }
  })

  it("the README's Output columns table names every column of the real exports' headers", () => {
    const headerOf = (path: string) => csvHeaderNames(fixture(path))
    const columns = new Set([
      ...NAMES,
      ...["improved-BENIGN_2500", "improved-DDoS_2500", "improved-Portscan_2500", "python-cicflowmeter-new_flows"].flatMap((name) => headerOf(`flows/cicids2017/${name}.csv`))
    ])
    expect(columns.size).toBe(196) // original 84 distinct, improved 91, Python 82, with overlaps
    expect(unnamedColumns(join(here, "..", "README.md"), columns)).toEqual([])
  })

  goldenCases(join(here, "..", "testcases"), sourceGoldenRun(cicflowmeterSource, fixturesDir()))

  it("detects every CIC variant from the header and nothing else", () => {
    const head = (path: string) => new Uint8Array(readFileSync(fixture(path)).subarray(0, 65_536))
    for (const cic of ["flows/cicids2017/improved-DDoS_2500.csv", "flows/cicids2017/python-cicflowmeter-new_flows.csv"]) {
      expect(cicflowmeterSource.detect!(head(cic), "x"), cic).toBeGreaterThanOrEqual(0.9)
    }
    expect(cicflowmeterSource.detect!(new TextEncoder().encode(`${ORIGINAL_HEADER}\n`), "x")).toBeGreaterThanOrEqual(0.9)
    for (const other of [
      "flows/argus/slips-test2-malicious.binetflow",
      "flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv",
      "flows/zeek/brimdata-zed-conn.log",
      "flows/zeek/slips-test9-conn-json.log",
      "flows/mining-labelled/nesfit-wekaready_miners.csv"
    ]) {
      expect(cicflowmeterSource.detect!(head(other), "x.csv"), other).toBe(0)
    }
  })
})
