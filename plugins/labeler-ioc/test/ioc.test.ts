/**
 * labeler.ioc: the labeler contract, golden cases (testcases/<case>/flows.json =
 * `{ base: case | fixtures, inputs }`: flows written out as rows, or real captures read with the
 * flow meter and summarised; list paths in config.yaml resolve from the case folder or the shared
 * fixtures folder) and the address, list and matching rules' edges.
 */
import { it } from "@effect/vitest"
import { readStrings, type BatchInfo, type FlowBatch, type LabelAnswer, type LabelerContext, type PluginError, type StageContext } from "@hashhound/core"
import { captureEvents } from "@hashhound/flowmeter"
import { batchFromRows, fixture, fixturesDir, hasFixtures, labelerContract, listGoldenCases, makeFromRaw, projectFixture, runGoldenCase, sampleBatch } from "@hashhound/testkit"
import { Chunk, Effect, Either, Stream } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { formatIp, parseCidr, parseIp } from "../src/addresses.js"
import { iocLabeler } from "../src/index.js"
import { detectFormat, parseIndicator, parseList } from "../src/indicators.js"
import { parseInstantUs } from "@hashhound/core"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

type LabelWithContext = (batch: FlowBatch, info: BatchInfo, context?: LabelerContext) => Effect.Effect<LabelAnswer, PluginError>

const COLUMNS = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "last_seen_us", "tls_sni", "http_host", "dns_qname", "jsonrpc_methods"]

type Row = Readonly<Record<string, string | number | null>>
interface CaseFile {
  readonly base: "case" | "fixtures"
  readonly inputs: ReadonlyArray<{ readonly capture: string; readonly rows: ReadonlyArray<Row> } | { readonly fixture: string; readonly summary?: boolean }>
}

const caseFile = (caseDir: string): CaseFile => JSON.parse(readFileSync(join(caseDir, "flows.json"), "utf8")) as CaseFile

const toFlow = (row: Row) => {
  const out: Record<string, string | number | null> = {}
  for (const [key, value] of Object.entries(row)) {
    if (key === "note") continue
    if (key === "first_seen" || key === "last_seen") out[`${key}_us`] = typeof value === "string" ? (parseInstantUs(value) ?? null) : value
    else out[key] = value
  }
  return out
}

const captureBatches = (path: string) =>
  Effect.map(Stream.runCollect(captureEvents(path, { checkpoints: false })), (events) =>
    Chunk.toReadonlyArray(events).flatMap((event) => (event._tag === "Batch" ? [event.batch] : []))
  )

const summarise = (capture: string, batches: ReadonlyArray<{ batch: FlowBatch; answer: LabelAnswer }>) => {
  const labels: Record<string, number> = {}
  const matchedBy: Record<string, number> = {}
  let stratumFlows = 0
  let stratumMatched = 0
  for (const { batch, answer } of batches) {
    const methods = readStrings(batch, "jsonrpc_methods") ?? []
    for (let row = 0; row < batch.numRows; row++) {
      const label = String(answer.label[row] ?? null)
      labels[label] = (labels[label] ?? 0) + 1
      const why = answer.detail[row] ?? null
      if (why !== null) {
        const kind = /^ioc (\(weak, port only\) )?(\w+)/.exec(why)?.[2] ?? why
        matchedBy[kind] = (matchedBy[kind] ?? 0) + 1
      }
      if (methods[row]?.includes("mining.") === true) {
        stratumFlows++
        if (answer.label[row] === "mining") stratumMatched++
      }
    }
  }
  return { capture, flows: Object.values(labels).reduce((a, b) => a + b, 0), labels, matched_by: matchedBy, stratum_flows: stratumFlows, stratum_flows_labelled_mining: stratumMatched }
}

const runCase = (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = yield* makeFromRaw(iocLabeler, raw)
    const label: LabelWithContext = stage.label
    const file = caseFile(caseDir)
    const baseDir = file.base === "fixtures" ? fixturesDir() : caseDir
    const context: StageContext = { dataset: "golden", baseDir, workDir: baseDir }
    const out: Array<unknown> = []
    for (const input of file.inputs) {
      if ("rows" in input) {
        const batch = batchFromRows(input.rows.map(toFlow), { columns: COLUMNS })
        const answer = yield* label(batch, { dataset: "golden", capture: input.capture, batch: 0 }, context)
        input.rows.forEach((row, i) => out.push({ note: row["note"] ?? null, label: answer.label[i] ?? null, detail: answer.detail[i] ?? null }))
        continue
      }
      const capture = basename(input.fixture)
      const labelled: Array<{ batch: FlowBatch; answer: LabelAnswer }> = []
      for (const [index, batch] of (yield* captureBatches(fixture(input.fixture))).entries())
        labelled.push({ batch, answer: yield* label(batch, { dataset: "golden", capture, batch: index }, context) })
      out.push(summarise(capture, labelled))
    }
    return out
  })

labelerContract(iocLabeler, {
  exampleYaml: join(root, "example.yaml"),
  config: { lists: [projectFixture("labels/ioc-contract-pools.txt")] },
  batch: sampleBatch()
})

describe("golden cases in testcases", () => {
  for (const caseDir of listGoldenCases(join(root, "testcases"))) {
    const name = basename(caseDir)
    if (caseFile(caseDir).base === "fixtures" && !hasFixtures()) it.skip(`${name} [skipped: the real fixtures folder is absent]`, () => undefined)
    else it.live(name, () => Effect.map(runGoldenCase(caseDir, runCase), (diffs) => expect(diffs, caseDir).toEqual([])))
  }
})

describe("labeler.ioc addresses", () => {
  it("parses and prints IPv4 and IPv6, folds IPv4-mapped addresses, refuses junk", () => {
    expect(formatIp(parseIp("2001:0DB8:0:0:0:0:0:7")!)).toBe("2001:db8::7")
    expect(formatIp(parseIp("[::1]")!)).toBe("::1")
    expect(formatIp(parseIp("::")!)).toBe("::")
    expect(formatIp(parseIp("fe80::1%eth0")!)).toBe("fe80::1")
    expect(parseIp("::ffff:192.0.2.1")).toEqual({ v: 4, n: 0xc0000201 })
    expect(formatIp(parseIp("2001:db8::c000:201")!)).toBe("2001:db8::c000:201")
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "pool.example.com", ""]) expect(parseIp(bad), bad).toBeUndefined()
  })

  it("clears host bits of prefixes and refuses bad lengths", () => {
    expect(parseCidr("198.51.100.77/24")).toEqual({ ip: { v: 4, n: 0xc6336400 }, prefix: 24 })
    expect(parseCidr("0.0.0.0/0")).toEqual({ ip: { v: 4, n: 0 }, prefix: 0 })
    expect(formatIp(parseCidr("2001:db8:beef:1::9/48")!.ip)).toBe("2001:db8:beef::")
    expect(parseCidr("::ffff:10.1.2.3/104")).toEqual({ ip: { v: 4, n: 0x0a000000 }, prefix: 8 })
    expect(parseCidr("10.0.0.0/33")).toBeUndefined()
    expect(parseCidr("2001:db8::/129")).toBeUndefined()
  })
})

describe("labeler.ioc lists", () => {
  const lines = (...texts: ReadonlyArray<string>) => texts.map((text, i) => ({ text, line: i + 1 }))

  it("infers indicator types from plain lines", () => {
    const kinds = ["192.0.2.7", "198.51.100.0/24", "192.0.2.7:3333", "[2001:db8::7]:3333", "pool.example.com", "*.pool.example.com", "pool.example.com:4444", "stratum+ssl://pool.example.com:4443/", "3333", "3333/udp"].map((value) => {
      const parsed = parseIndicator(value)
      return typeof parsed === "string" ? parsed : parsed.text
    })
    expect(kinds).toEqual([
      "ip 192.0.2.7",
      "prefix 198.51.100.0/24",
      "endpoint 192.0.2.7:3333",
      "endpoint [2001:db8::7]:3333",
      "domain pool.example.com",
      "domain pool.example.com",
      "endpoint pool.example.com:4444",
      "endpoint pool.example.com:4443",
      "port 3333",
      "port 3333/udp"
    ])
    expect(parseIndicator("not a thing!")).toMatch(/is not an address, prefix, domain or port/)
    expect(parseIndicator("70000")).toMatch(/over 65535/)
    expect(parseIndicator("pool.example.com", "ip")).toMatch(/not an address/)
    expect(parseIndicator("1.2.3.4", "domain")).toMatch(/not a domain/)
    expect(parseIndicator("1.2.3.4", "url")).toMatch(/unknown indicator type/)
  })

  it("detects the NESFIT endpoint lists (BOM + header, and headerless) and typed CSV", () => {
    expect(detectFormat(lines("\uFEFFaddress,port", "54.172.129.105,3333"))).toBe("endpoints")
    expect(detectFormat(lines("101.201.172.235,8888"))).toBe("endpoints")
    expect(detectFormat(lines("# c", "type,value,label"))).toBe("typed_csv")
    expect(detectFormat(lines("", "pool.example.com"))).toBe("lines")
    const parsed = parseList(lines("\uFEFFaddress,port", "54.172.129.105,3333", "2001:db8::1,443"), { name: "x.csv", format: "auto", label: "mining" })
    expect(typeof parsed === "string" ? parsed : parsed.map((i) => `${i.text} @${i.where}`)).toEqual([
      "endpoint 54.172.129.105:3333 @x.csv:2",
      "endpoint [2001:db8::1]:443 @x.csv:3"
    ])
  })

  it("reports the first malformed line with its number", () => {
    const name = { name: "l.txt", format: "auto" as const, label: "mining" as const }
    expect(parseList(lines("1.2.3.4", "# fine", "1.2.3.4.5"), name)).toBe('line 3: "1.2.3.4.5" is not an address, prefix, domain or port')
    expect(parseList(lines("type,value,label", "ip,1.2.3.4,evil"), name)).toBe('line 2: label "evil" is not mining, benign or unknown')
    expect(parseList(lines("type,value,valid_from", "ip,1.2.3.4,2024-01-01"), name)).toMatch(/^line 2: valid_from "2024-01-01" is not an ISO 8601 time/)
    expect(parseList(lines("1.2.3.4,3333", "1.2.3.4,http"), name)).toBe('line 2: "http" is not a port')
  })
})

describe("labeler.ioc stage", () => {
  it("refuses an empty list of lists and a bad format, naming the path", () => {
    const paths = (raw: unknown) =>
      Either.match(iocLabeler.decode(raw, "labels.1"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ lists: [] })).toEqual(["labels.1.lists"])
    expect(paths({ lists: [{ path: "a.csv", format: "stix" }] })).toContain("labels.1.lists.0.format")
    expect(paths({ lists: ["a"], port_matches_label: "maybe" })).toContain("labels.1.port_matches_label")
  })

  it.effect("a missing list or a malformed line fails with a PluginError naming the file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-ioc-"))
      writeFileSync(join(dir, "bad.txt"), "1.2.3.4\nnot-an-indicator!\n")
      const context: StageContext = { dataset: "t", baseDir: dir, workDir: dir }
      for (const [file, reason] of [
        ["bad.txt", /^line 2: /],
        ["missing.txt", /ENOENT|no such file/i]
      ] as const) {
        const stage = yield* iocLabeler.make({ lists: [file] })
        const label: LabelWithContext = stage.label
        const error = yield* Effect.flip(label(sampleBatch(), { dataset: "t", capture: "c", batch: 0 }, context))
        expect(error.pluginId).toBe("labeler.ioc")
        expect(error.input).toBe(join(dir, file))
        expect(error.reason).toMatch(reason)
      }
    }))

  it.effect("the run-wide label_skew_s widens validity windows on both sides, inclusively; open indicators are unchanged", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-ioc-"))
      writeFileSync(
        join(dir, "windowed.csv"),
        "type,value,valid_from,valid_to,detail\nip,185.71.66.39,2018-05-01T00:00:00Z,2018-06-01T00:00:00Z,windowed\nip,198.51.100.9,,,open\n"
      )
      const stage = yield* iocLabeler.make({ lists: ["windowed.csv"] })
      const label: LabelWithContext = stage.label
      const context = (skewS?: number): LabelerContext => ({ dataset: "t", baseDir: dir, workDir: dir, ...(skewS === undefined ? {} : { labelSkewS: skewS }) })
      const from = parseInstantUs("2018-05-01T00:00:00Z")!
      const to = parseInstantUs("2018-06-01T00:00:00Z")!
      const flow = (dst: string, first: number, last: number) => ({
        ...toFlow({ src_ip: "10.0.0.5", dst_ip: dst, src_port: 50000, dst_port: 9999, protocol: 6 }),
        first_seen_us: first,
        last_seen_us: last
      })
      const batch = batchFromRows(
        [
          // ends 30 s before the window opens
          flow("185.71.66.39", from - 90_000_000, from - 30_000_000),
          // starts 30 s after the window closed
          flow("185.71.66.39", to + 30_000_000, to + 90_000_000),
          // starts 31 s after
          flow("185.71.66.39", to + 31_000_000, to + 90_000_000),
          // an indicator without a window matches whatever the time
          flow("198.51.100.9", 0, 1)
        ],
        { columns: COLUMNS }
      )
      const info = { dataset: "t", capture: "c", batch: 0 }
      expect((yield* label(batch, info, context())).label).toEqual([null, null, null, "mining"])
      expect((yield* label(batch, info, context(0))).label).toEqual([null, null, null, "mining"])
      expect((yield* label(batch, info, context(29))).label).toEqual([null, null, null, "mining"])
      const widened = yield* label(batch, info, context(30))
      expect(widened.label).toEqual(["mining", "mining", null, "mining"])
      expect(widened.detail[0]).toBe("ioc ip 185.71.66.39 (dst_ip) in windowed.csv:2: windowed")
    }))

  it.effect("reads its lists once per base folder", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-ioc-"))
      writeFileSync(join(dir, "l.txt"), "203.0.113.10\n")
      const stage = yield* iocLabeler.make({ lists: ["l.txt"] })
      const label: LabelWithContext = stage.label
      const context: StageContext = { dataset: "t", baseDir: dir, workDir: dir }
      const first = yield* label(sampleBatch(), { dataset: "t", capture: "c", batch: 0 }, context)
      writeFileSync(join(dir, "l.txt"), "garbage!\n")
      const second = yield* label(sampleBatch(), { dataset: "t", capture: "c", batch: 1 }, context)
      expect(second).toEqual(first)
      expect(first.label[0]).toBe("mining")
    }))
})
