import { it } from "@effect/vitest"
import { contractViolations, readNumeric, readStrings, type SourceEvent } from "@hashhound/core"
import { describeFixtures, fixture, fixturesDir, goldenCases, readSource, sourceContract, sourceGoldenRun, unnamedColumns } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { parse } from "yaml"
import { zeekConnSource, plugins } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), "hh-zeek-"))
const write = (name: string, text: string | Buffer): string => {
  writeFileSync(join(tmp, name), text)
  return name
}
const readFile = (name: string, extra: Record<string, unknown> = {}) =>
  Effect.map(readSource(zeekConnSource, { paths: [name], ...extra }, tmp), (read) => read.events[0]!.events)
const batchesOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Batch" ? [e.batch] : []))
const findingsOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))
const column = (events: ReadonlyArray<SourceEvent>, name: string): Array<number> =>
  batchesOf(events).flatMap((batch) => Array.from(readNumeric(batch, name) ?? []))
const strings = (events: ReadonlyArray<SourceEvent>, name: string): Array<string | null> =>
  batchesOf(events).flatMap((batch) => readStrings(batch, name) ?? [])

const T = "\t"
const FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
const HEAD = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn", "#open\t2018-05-24-09-12-49"]
const ROW = "1268758221.420447\tClUpwQ3hp1QpBFIHji\t192.168.23.129\t1062\t65.55.195.250\t443\ttcp\tssl\t0.593467\t1318\t5387\tSF\t-\t-\t0\tShADadfF\t8\t1646\t11\t5831\t(empty)"

describe("source.zeek-conn", () => {
  it("decodes its example.yaml", () => {
    expect(contractViolations(zeekConnSource)).toEqual([])
    expect(plugins).toEqual([zeekConnSource])
    const { type, ...rest } = parse(readFileSync(join(here, "..", "example.yaml"), "utf8")) as Record<string, unknown>
    expect(type).toBe("source.zeek-conn")
    expect(Either.isRight(zeekConnSource.decode(rest))).toBe(true)
    expect(Either.isLeft(zeekConnSource.decode({ paths: ["x"], tsOffset: 1 }))).toBe(true)
  })

  it.effect("keeps reading after a truncated line, a non-numeric cell and a wrong column count; ignores trailing separators", () =>
    Effect.gen(function* () {
      const name = write(
        "bad.log",
        [
          ...HEAD,
          `#fields\t${FIELDS.join(T)}`,
          ROW,
          ROW.slice(0, 40),
          ROW.replace("\t8\t1646\t", "\teight\t1646\t"),
          `${ROW}\textra`,
          `${ROW.replace("1062", "1064")}\t \t`,
          ROW.replace("1062", "1063"),
          "#close\t2018-05-24-09-12-49"
        ].join("\n")
      )
      const events = yield* readFile(name)
      // empty cells left by trailing separators are stray whitespace, not an extra column
      expect(column(events, "src_port")).toEqual([1062, 1064, 1063])
      const bad = findingsOf(events).filter((f) => f.code === "malformed_row")
      expect(bad.map((f) => f.message)).toEqual([
        "line 9: expected 21 fields, found 3",
        'line 10: orig_pkts "eight" is not a count',
        "line 11: expected 21 fields, found 22"
      ])
      expect(bad[0]!.offset).toBe(readFileSync(join(tmp, name), "utf8").indexOf(ROW.slice(0, 40) + "\n"))
      // the malformed JSON line case
      const json = write(
        "bad.json",
        ['{"ts":1.5,"id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"udp","conn_state":"S0","orig_pkts":1}', '{"ts":2.5,"id.orig_h":"10.0', "[1,2]", '{"ts":3.5,"id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"udp","orig_pkts":"x"}', '{"ts":4.5,"id.orig_h":"10.0.0.1","id.orig_p":3,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"udp","orig_pkts":2}'].join("\n")
      )
      const jsonEvents = yield* readFile(json)
      expect(column(jsonEvents, "src_port")).toEqual([1, 3])
      expect(findingsOf(jsonEvents).filter((f) => f.code === "malformed_row").map((f) => f.message.slice(0, 26))).toEqual([
        "line 2: not a JSON object ",
        "line 3: not a JSON object",
        'line 4: orig_pkts "x" is n'
      ])
    }))

  it.effect("tolerates stray whitespace, unknown columns, a second header, a custom separator and IoT-23 label cells", () =>
    Effect.gen(function* () {
      const name = write(
        "mixed.log.gz",
        gzipSync(
          [
            "#separator \\x09",
            "#set_separator\t;",
            "#unset_field\t-",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\tcommunity_id\ttunnel_parents   label   detailed-label",
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tcount\tcount\tcount\tstring\tset[string]   string   string",
            "1525879831.015811 \tCUmrqr4svHuSXJy5z7\t192.168.100.103\t51524\t65.127.233.163\t23\ttcp\t-\t2.999051\t0\t0\tS0\t3\t180\t0\t0\t1:abc=\t-   Malicious   PartOfAHorizontalPortScan\r",
            "1525879831.025055\tCH98aB3s1kJeq6SFOc\tfe80::1\t135\tff02::1\t136\ticmp\t-\t-\t-\t-\tOTH\t1\t72\t0\t0\t-\t(empty)   Benign   -",
            "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_pkts\tvlan",
            "1525879832.5\t10.0.0.1\t5000\t10.0.0.2\t53\tudp\t1\t7"
          ].join("\n")
        )
      )
      const events = yield* readFile(name)
      expect(findingsOf(events)).toEqual([])
      expect(strings(events, "label_raw")).toEqual(["Malicious / PartOfAHorizontalPortScan", "Benign", null])
      expect(column(events, "first_seen_us")).toEqual([1_525_879_831_015_811, 1_525_879_831_025_055, 1_525_879_832_500_000])
      expect(column(events, "protocol")).toEqual([6, 58, 17])
      expect(column(events, "src_port")).toEqual([51524, Number.NaN, 5000])
      expect(column(events, "duration_s")).toEqual([2.999051, Number.NaN, Number.NaN])
      expect(column(events, "last_seen_us")).toEqual([1_525_879_834_014_862, Number.NaN, Number.NaN])
      expect(column(events, "vlan_id")).toEqual([Number.NaN, Number.NaN, 7])
      expect(strings(events, "end_reason")).toEqual([null, null, null])
      expect(strings(events, "app_proto")).toEqual([null, null, null])
    }))

  it.effect("reads JSON lines with ISO and epoch ts, maps conn_state and proto names", () =>
    Effect.gen(function* () {
      const name = write(
        "iso.json",
        [
          '{"ts":"2019-04-04T16:23:00.325010Z","uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":40000,"id.resp_h":"10.0.0.2","id.resp_p":3333,"proto":"tcp","service":"ssl","duration":1.5,"orig_bytes":10,"resp_bytes":20,"conn_state":"RSTO","orig_pkts":3,"orig_ip_bytes":130,"resp_pkts":2,"resp_ip_bytes":100,"label":"Malicious","detailed-label":"C&C"}',
          '{"ts":"2019-04-04 16:23:01","id.orig_h":"10.0.0.1","id.orig_p":40001,"id.resp_h":"10.0.0.2","id.resp_p":3333,"proto":"tcp","conn_state":"SF","orig_pkts":1}',
          '{"ts":1554394982.25,"id.orig_h":"10.0.0.1","id.orig_p":40002,"id.resp_h":"10.0.0.2","id.resp_p":3333,"proto":"tcp","conn_state":"S1"}'
        ].join("\n")
      )
      const events = yield* readFile(name, { timezone_offset_min: 120 })
      expect(column(events, "first_seen_us")).toEqual([1_554_394_980_325_010, 1_554_394_981_000_000 - 2 * 3_600_000_000, 1_554_394_982_250_000])
      expect(strings(events, "end_reason")).toEqual(["rst", "fin", null])
      expect(strings(events, "label_raw")).toEqual(["Malicious / C&C", null, null])
      expect(column(events, "fwd_bytes")).toEqual([130, Number.NaN, Number.NaN])
      expect(column(events, "fwd_payload_bytes")).toEqual([10, Number.NaN, Number.NaN])
    }))

  it.effect("refuses files of another format with a clear InputError", () =>
    Effect.gen(function* () {
      const csv = write("flows.csv", "StartTime,Dur,Proto\n2019/04/04 16:23:00,1,tcp\n")
      expect((yield* Effect.flip(readFile(csv))).message).toContain("not a Zeek conn log")
      const dns = write("dns.log", "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\n")
      expect((yield* Effect.flip(readFile(dns))).message).toContain("another Zeek log?")
      const noHeader = write("nofields.log", "#separator \\x09\n#path\tconn\n")
      expect((yield* Effect.flip(readFile(noHeader))).message).toContain("no #fields header")
    }))
})

describeFixtures("source.zeek-conn on real exports", () => {
  // testkit's source contract (README sections and config keys, example.yaml, stable plan, finite and
  // interruptible reads, released file handles, batch indices, catalogue columns, tagged error on a
  // missing input) on a real export
  sourceContract(zeekConnSource, {
    exampleYaml: join(here, "..", "example.yaml"),
    input: { config: { paths: ["flows/zeek/slips-test9-conn-json.log"] }, baseDir: fixturesDir() }
  })

  it("the README's Output columns table names every column of the real exports' headers", () => {
    const lines = (path: string) => readFileSync(fixture(path), "utf8").split("\n")
    const tsvFields = (path: string) => lines(path).filter((line) => line.startsWith("#fields\t")).flatMap((line) => line.split("\t").slice(1))
    const jsonKeys = (path: string) => lines(path).filter((line) => line.startsWith("{")).flatMap((line) => Object.keys(JSON.parse(line) as object))
    const columns = new Set([
      ...tsvFields("flows/zeek/brimdata-zed-conn.log"),
      ...tsvFields("flows/zeek/infectedPCAP-conn.log"),
      ...jsonKeys("flows/zeek/slips-test9-conn-json.log")
    ])
    expect(columns.size).toBeGreaterThan(20)
    expect(unnamedColumns(join(here, "..", "README.md"), columns)).toEqual([])
  })

  goldenCases(join(here, "..", "testcases"), sourceGoldenRun(zeekConnSource, fixturesDir()))

  it("detects conn logs (TSV and JSON) from their content and nothing else", () => {
    const head = (path: string) => new Uint8Array(readFileSync(fixture(path)).subarray(0, 65_536))
    for (const log of ["flows/zeek/brimdata-zed-conn.log", "flows/zeek/infectedPCAP-conn.log", "flows/zeek/slips-test9-conn-json.log"]) {
      expect(zeekConnSource.detect!(head(log), "x"), log).toBeGreaterThanOrEqual(0.9)
    }
    for (const other of [
      "flows/argus/slips-test2-malicious.binetflow",
      "flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv",
      "flows/cicids2017/improved-BENIGN_2500.csv",
      "flows/cicids2017/python-cicflowmeter-new_flows.csv"
    ]) {
      expect(zeekConnSource.detect!(head(other), "conn.log"), other).toBe(0)
    }
  })
})
