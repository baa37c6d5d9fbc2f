/**
 * `hashhound flows` on the real flow exports in `../shared/fixtures/flows`, through the real CLI
 * and without `--source`: argus (`ra` CSV and CTU-13 binetflow), nfdump 1.7 CSV, CICFlowMeter
 * CSV (the improved CIC-IDS2017 re-extraction and the Python `cicflowmeter` variant) and Zeek
 * JSON lines.
 *
 * Holds: per export, the source detected from the content (the `FILE: source.x` line on stderr),
 * every flow checked against the source rows as read independently here (src_ip, ports, IANA
 * protocol, first/last seen in µs, fwd/bwd packets and bytes, label_raw); damaged copies (a
 * garbage row, a non-numeric count, a truncated last line) that still convert, every good row
 * read and the bad ones counted as `malformed_row`; gzip'd copies cut short, every line before
 * the cut read and the cut a `truncated_file` finding; a folder of mixed exports converted in one
 * command. Damaged copies are written to a temporary folder; the fixtures are read in place.
 * Does not hold: the adapters' golden cases and unit-level edge cases (each plugin's own tests),
 * captures (flows.test.ts).
 */
import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { constants, gunzipSync, gzipSync } from "node:zlib"
import { expect, it } from "vitest"
import { hashhound, type CliResult } from "./cli-support.js"
import { expectClean, project, readFlows, type Row } from "./flows-output.js"
import { accountNfdump, argusExpected, cicImprovedRow, cicPythonRow, lines, nfdumpRecord, nfdumpRows, zeekJsonRow } from "./export-rows.js"

const work = mkdtempSync(join(tmpdir(), "hh-flows-exports-"))
const flowsFixture = (relative: string): string => fixture(join("flows", relative))

// ---------------------------------------------------------------------------------------------
// damaged copies

const GARBAGE = "%%%% garbage, not a flow record ~~~~"

/**
 * A damaged copy of `rows` (data lines) under `header`: row 4 spoiled by `spoil` (a non-numeric
 * count), a garbage line after row 8, and the last row cut in half with no newline after it (a
 * file cut short while written). Returns its path and the rows that are still intact.
 */
const damage = (
  name: string,
  header: string | undefined,
  rows: ReadonlyArray<string>,
  spoil: (row: string) => string
): { path: string; good: Array<string> } => {
  expect(rows.length).toBeGreaterThan(12)
  const spoiled = spoil(rows[3] ?? "")
  expect(spoiled).not.toBe(rows[3])
  const last = rows.at(-1) ?? ""
  const cut = last.slice(0, Math.floor(last.length / 2))
  const body = [...rows.slice(0, 3), spoiled, ...rows.slice(4, 8), GARBAGE, ...rows.slice(8, -1), cut]
  const path = join(work, "damaged", name)
  mkdirSync(join(work, "damaged"), { recursive: true })
  writeFileSync(path, [...(header === undefined ? [] : [header]), ...body].join("\n"))
  return { path, good: [...rows.slice(0, 3), ...rows.slice(4, -1)] }
}

/** `row` with the cell under `column` replaced. */
const withCell =
  (header: string, column: string, value: string) =>
  (row: string): string => {
    const at = header.split(",").indexOf(column)
    expect(at, `column ${column}`).toBeGreaterThanOrEqual(0)
    const cells = row.split(",")
    cells[at] = value
    return cells.join(",")
  }

/**
 * Convert `path` without `--source` to `out` in the work folder (as `format`, else by the
 * extension), and check that the run ended cleanly and that `source` read it.
 */
const convert = async (path: string, out: string, source: string, format?: string): Promise<{ result: CliResult; flows: Array<Row> }> => {
  const target = join(work, out)
  const result = hashhound(["flows", path, "--out", target, ...(format === undefined ? [] : ["--format", format])], work)
  expectClean(result)
  expect(result.stderr).toContain(`${path}: ${source}`)
  return { result, flows: await readFlows(target) }
}

/** `damage` a copy and `convert` it; also returns the intact rows. */
const convertDamaged = async (
  name: string,
  header: string | undefined,
  rows: ReadonlyArray<string>,
  spoil: (row: string) => string,
  source: string,
  out: string
): Promise<{ result: CliResult; good: Array<string>; flows: Array<Row> }> => {
  const { path, good } = damage(name, header, rows, spoil)
  return { good, ...(await convert(path, out, source)) }
}

const flowsLine = (stderr: string): number => {
  const m = /^([\d,]+) flows from \d+ input\(s\)/m.exec(stderr)
  expect(m, stderr).not.toBeNull()
  return Number((m?.[1] ?? "").replaceAll(",", ""))
}

// ---------------------------------------------------------------------------------------------

describeFixtures("hashhound flows on the real flow exports (format detected from the content)", () => {
  it("argus ra CSV → Parquet: source.argus, one flow per IP record, the non-IP record skipped and counted", async () => {
    const input = flowsFixture("generated-from-mining-pcaps/nesfit-cgminer.s0.argus-ra.csv")
    const { result, flows } = await convert(input, "argus-ra.parquet", "source.argus", "parquet")
    const [header = "", ...rows] = lines(input)
    const expected = argusExpected(header, rows)
    expect(rows).toHaveLength(351)
    expect(expected.skipped).toBe(1) // one `ip` record between two MAC addresses
    expect(result.stderr).toMatch(/nesfit-cgminer\.s0\.argus-ra\.csv non_ip_record ×1: .*"ip"/)
    expect(flows).toHaveLength(350)
    expect(flowsLine(result.stderr)).toBe(350)
    expect(project(flows, expected.flows)).toEqual(expected.flows)
    expect(new Set(flows.map((flow) => flow["protocol"]))).toEqual(new Set([6, 17, 1, 58]))
  })

  it("argus CTU-13 binetflow → JSONL: source.argus, every record with its Label column", async () => {
    const input = flowsFixture("argus/slips-test3-mixed.binetflow")
    const { result, flows } = await convert(input, "binetflow.jsonl", "source.argus", "jsonl")
    const [header = "", ...rows] = lines(input)
    expect(header.split(",").at(-1)).toBe("Label")
    const expected = argusExpected(header, rows)
    expect(expected.flows).toHaveLength(89)
    expect(project(flows, expected.flows)).toEqual(expected.flows)
    // IPv6 rows keep their addresses and version
    expect(flows.filter((flow) => flow["ip_version"] === 6).length).toBeGreaterThan(0)
  })

  it("nfdump 1.7 CSV → CSV: source.nfdump-csv, every one-way record in exactly one flow, Summary agreed", async () => {
    const input = flowsFixture("generated-from-mining-pcaps/nesfit-cgminer.s0.nfdump.csv")
    const { result, flows } = await convert(input, "nfdump.csv", "source.nfdump-csv", "csv")
    const all = lines(input)
    const header = all[0] ?? ""
    const records = nfdumpRows(all).map(nfdumpRecord(header))
    expect(records).toHaveLength(456)
    expect(result.stderr).toMatch(/nesfit-cgminer\.s0\.nfdump\.csv summary_checked ×456/)
    const { problems, paired } = accountNfdump(records, flows)
    expect(problems).toEqual([])
    expect(paired).toBeGreaterThan(0)
    expect(flows).toHaveLength(records.length - paired)
    expect(flowsLine(result.stderr)).toBe(records.length - paired)
    expect(new Set(flows.map((flow) => flow["protocol"]))).toEqual(new Set([6, 17, 1, 58]))
  })

  it("CICFlowMeter CSV, improved CIC-IDS2017 (91 columns) → JSONL: source.cicflowmeter-csv, payload + headers as IP bytes, Label kept", async () => {
    const input = flowsFixture("cicids2017/improved-BENIGN_2500.csv")
    const { result, flows } = await convert(input, "cic-improved.jsonl", "source.cicflowmeter-csv", "jsonl")
    const [header = "", ...rows] = lines(input)
    expect(header.split(",")).toHaveLength(91)
    const expected = rows.map(cicImprovedRow(header))
    expect(expected).toHaveLength(2500)
    expect(project(flows, expected)).toEqual(expected)
    // the 4 rows with Protocol 0 are flows with a null protocol, counted
    expect(result.stderr).toMatch(/improved-BENIGN_2500\.csv unknown_protocol ×4/)
    expect(flows.filter((flow) => flow["label_raw"] === "BENIGN")).toHaveLength(2500)
  })

  it("CICFlowMeter CSV, Python cicflowmeter (snake_case) → CSV: source.cicflowmeter-csv, seconds and frame lengths converted", async () => {
    const input = flowsFixture("cicids2017/python-cicflowmeter-new_flows.csv")
    const { result, flows } = await convert(input, "cic-python.csv", "source.cicflowmeter-csv", "csv")
    const [header = "", ...rows] = lines(input)
    const expected = rows.map(cicPythonRow(header))
    expect(expected).toHaveLength(24)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("Zeek conn.log JSON lines → Parquet: source.zeek-conn, relative ts kept as µs and reported", async () => {
    const input = flowsFixture("zeek/slips-test9-conn-json.log")
    const { result, flows } = await convert(input, "zeek-json.parquet", "source.zeek-conn", "parquet")
    expect(result.stderr).toMatch(/slips-test9-conn-json\.log relative_timestamps ×576/)
    const expected = lines(input).map(zeekJsonRow)
    expect(expected).toHaveLength(576)
    expect(project(flows, expected)).toEqual(expected)
  })

  // -------------------------------------------------------------------------------------------
  // damaged copies: a garbage line, a non-numeric count, a truncated last line

  it("argus: a damaged copy still converts; its 3 bad rows are malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("argus/slips-test3-mixed.binetflow"))
    const { result, good, flows } = await convertDamaged("argus-damaged.binetflow", header, rows, withCell(header, "SrcBytes", "1O4"), "source.argus", "argus-damaged.jsonl")
    expect(result.stderr).toMatch(/warn: argus-damaged\.binetflow malformed_row ×3 \(first at byte \d+\): line 5: /)
    const expected = argusExpected(header, good).flows
    expect(expected).toHaveLength(87)
    expect(project(flows, expected)).toEqual(expected)
    expect(flowsLine(result.stderr)).toBe(87)
  })

  it("nfdump: a damaged copy cut before its Summary still converts; malformed_row ×3, every good record in a flow", async () => {
    const all = lines(flowsFixture("generated-from-mining-pcaps/peafowl-stratum.nfdump.csv"))
    const header = all[0] ?? ""
    const rows = nfdumpRows(all)
    expect(rows).toHaveLength(25)
    const { result, good, flows } = await convertDamaged("nfdump-damaged.csv", header, rows, withCell(header, "ibyt", "9x1"), "source.nfdump-csv", "nfdump-damaged.csv")
    expect(result.stderr).toMatch(/warn: nfdump-damaged\.csv malformed_row ×3 \(first at byte \d+\): line 5: ibyt "9x1"/)
    const records = good.map(nfdumpRecord(header))
    expect(records).toHaveLength(23)
    const { problems, paired } = accountNfdump(records, flows)
    expect(problems).toEqual([])
    expect(flows).toHaveLength(records.length - paired)
  })

  it("nfdump: a bad row above an intact Summary makes the Summary disagree, said as a finding naming the malformed rows", async () => {
    const all = lines(flowsFixture("generated-from-mining-pcaps/peafowl-stratum.nfdump.csv"))
    const header = all[0] ?? ""
    const rows = nfdumpRows(all)
    const spoil = withCell(header, "ipkt", "seven")
    const path = join(work, "damaged", "nfdump-summary.csv")
    mkdirSync(join(work, "damaged"), { recursive: true })
    writeFileSync(path, [header, ...rows.slice(0, 5), spoil(rows[5] ?? ""), ...rows.slice(6), ...all.slice(rows.length + 1)].join("\n") + "\n")
    const { result, flows } = await convert(path, "nfdump-summary.jsonl", "source.nfdump-csv")
    expect(result.stderr).toMatch(/nfdump-summary\.csv malformed_row ×1 .*line 7: ipkt "seven"/)
    expect(result.stderr).toMatch(/nfdump-summary\.csv summary_mismatch ×1 .*flows 25 but 24 records read.*\(1 malformed row not read\)/)
    const records = [...rows.slice(0, 5), ...rows.slice(6)].map(nfdumpRecord(header))
    const { problems } = accountNfdump(records, flows)
    expect(problems).toEqual([])
  })

  it("CICFlowMeter improved: a damaged copy still converts; malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("cicids2017/improved-BENIGN_2500.csv")).slice(0, 61)
    const { result, good, flows } = await convertDamaged("cic-damaged.csv", header, rows, withCell(header, "Total Fwd Packet", "lots"), "source.cicflowmeter-csv", "cic-damaged.parquet")
    expect(result.stderr).toMatch(/warn: cic-damaged\.csv malformed_row ×3 \(first at byte \d+\): line 5: Total Fwd Packet "lots" is not a number/)
    const expected = good.map(cicImprovedRow(header))
    expect(expected).toHaveLength(58)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("CICFlowMeter Python: a damaged copy still converts; malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("cicids2017/python-cicflowmeter-new_flows.csv"))
    const { result, good, flows } = await convertDamaged("cic-python-damaged.csv", header, rows, withCell(header, "tot_bwd_pkts", "1e"), "source.cicflowmeter-csv", "cic-python-damaged.jsonl")
    expect(result.stderr).toMatch(/warn: cic-python-damaged\.csv malformed_row ×3 .*line 5: tot_bwd_pkts "1e" is not a number/)
    const expected = good.map(cicPythonRow(header))
    expect(expected).toHaveLength(22)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("gzip'd exports cut short (Zeek JSON, argus binetflow): every line before the cut is read, truncated_file says where", async () => {
    const cases = [
      { fixture: "zeek/slips-test9-conn-json.log", header: false, source: "source.zeek-conn" },
      { fixture: "argus/slips-test2-malicious.binetflow", header: true, source: "source.argus" }
    ]
    for (const c of cases) {
      const packed = gzipSync(readFileSync(flowsFixture(c.fixture)))
      // one cut inside the first 64 KB unpacked (the window the format is detected from), one past it
      for (const keep of [3000, Math.floor(packed.length / 2)]) {
        const cut = packed.subarray(0, keep)
        const unpacked = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString("latin1")
        const whole = unpacked.slice(0, unpacked.lastIndexOf("\n") + 1)
        const name = `${basename(c.fixture)}-${keep}.gz`
        const path = join(work, "damaged", name)
        mkdirSync(join(work, "damaged"), { recursive: true })
        writeFileSync(path, cut)
        const { result, flows } = await convert(path, `${name}.jsonl`, c.source)
        const dropped = unpacked.length - whole.length
        expect(result.stderr).toContain(
          `warn: ${name} truncated_file ×1 (first at byte ${whole.length}): gzip stream ends early: unexpected end of file; the ${dropped} bytes of the line it cuts are not read`
        )
        const read = whole.split("\n").filter((line) => line.trim() !== "")
        const expected = c.header ? argusExpected(read[0] ?? "", read.slice(1)).flows : read.map(zeekJsonRow)
        expect(expected.length).toBeGreaterThan(10)
        expect(project(flows, expected)).toEqual(expected)
      }
    }
  })

  it("Zeek JSON: a damaged copy still converts; malformed_row ×3, every good record is read", async () => {
    const rows = lines(flowsFixture("zeek/slips-test9-conn-json.log")).slice(0, 60)
    const spoil = (row: string): string => row.replace(/"orig_pkts":\d+/, '"orig_pkts":"lots"')
    const { result, good, flows } = await convertDamaged("zeek-damaged.log", undefined, rows, spoil, "source.zeek-conn", "zeek-damaged.csv")
    expect(result.stderr).toMatch(/warn: zeek-damaged\.log malformed_row ×3 .*line 4: orig_pkts "lots"/)
    const expected = good.map(zeekJsonRow)
    expect(expected).toHaveLength(58)
    // the CSV round trip: app_proto may hold Zeek's comma lists, quoted
    expect(project(flows, expected)).toEqual(expected)
  })

  // -------------------------------------------------------------------------------------------
  // a garbage row that happens to have the right number of cells

  const fullWidthGarbage = (() => {
    let run: { result: CliResult; flows: Promise<Array<Row>> } | undefined
    const sources = [
      { name: "argus-wide.binetflow", fixture: "argus/slips-test3-mixed.binetflow" },
      { name: "nfdump-wide.csv", fixture: "generated-from-mining-pcaps/peafowl-stratum.nfdump.csv" },
      { name: "cic-wide.csv", fixture: "cicids2017/python-cicflowmeter-new_flows.csv" }
    ] as const
    return () => {
      if (run === undefined) {
        const dir = join(work, "wide")
        mkdirSync(dir, { recursive: true })
        for (const source of sources) {
          const all = readFileSync(flowsFixture(source.fixture), "utf8").split("\n")
          const width = (all[0] ?? "").split(",").length
          all.splice(4, 0, Array.from({ length: width }, () => "garbage").join(","))
          writeFileSync(join(dir, source.name), all.join("\n"))
        }
        const out = join(work, "wide.parquet")
        const result = hashhound(["flows", dir, "--out", out], work)
        run = { result, flows: result.code === 0 ? readFlows(out) : Promise.resolve([]) }
      }
      return run
    }
  })()

  it("a garbage row with as many cells as the header: nfdump and CIC count it as malformed_row, all good rows read", async () => {
    const { result, flows } = fullWidthGarbage()
    expectClean(result)
    expect(result.stderr).toMatch(/nfdump-wide\.csv malformed_row ×1 .*line 5: pr "garbage"/)
    expect(result.stderr).toMatch(/cic-wide\.csv malformed_row ×1 .*line 5: /)
    const rows = await flows
    const count = (capture: string): number => rows.filter((row) => row["capture"] === capture).length
    expect(count("cic-wide.csv")).toBe(24)
    // argus: the garbage row is not a flow either
    expect(count("argus-wide.binetflow")).toBe(89)
  })

  // argus skips non-IP records (man, arp, …) as info; a row whose Proto is no protocol and
  // whose StartTime is no date-time is damage, not such a record
  it("a garbage row with as many cells as the header: argus counts it as malformed_row, not as a non-IP record", () => {
    const { result } = fullWidthGarbage()
    expect(result.stderr).toMatch(/argus-wide\.binetflow malformed_row ×1/)
    expect(result.stderr).not.toMatch(/argus-wide\.binetflow non_ip_record/)
  })

  // -------------------------------------------------------------------------------------------

  it("a folder of mixed exports (and a capture, and a file that is neither) converts in one command, each detected by content", async () => {
    const dir = join(work, "mixed")
    mkdirSync(dir, { recursive: true })
    const inputs = [
      { fixture: "flows/argus/slips-test3-mixed.binetflow", source: "source.argus" },
      { fixture: "flows/generated-from-mining-pcaps/peafowl-monero.argus-ra.csv", source: "source.argus" },
      { fixture: "flows/generated-from-mining-pcaps/peafowl-monero.nfdump.csv", source: "source.nfdump-csv" },
      { fixture: "flows/cicids2017/python-cicflowmeter-new_flows.csv", source: "source.cicflowmeter-csv" },
      { fixture: "flows/cicids2017/improved-Portscan_2500.csv", source: "source.cicflowmeter-csv" },
      { fixture: "flows/zeek/slips-test9-conn-json.log", source: "source.zeek-conn" },
      { fixture: "flows/zeek/infectedPCAP-conn.log", source: "source.zeek-conn" },
      { fixture: "mining/peafowl-monero.pcap", source: "source.pcap" }
    ] as const
    const notFlows = "flows/mining-labelled/nesfit-stratum_up-pool-endpoints.csv" // `ip,port` lines, no header
    // links, not copies: the fixtures stay where they are
    for (const relative of [...inputs.map((input) => input.fixture), notFlows]) symlinkSync(fixture(relative), join(dir, basename(relative)))
    const out = join(work, "mixed.parquet")
    const result = hashhound(["flows", dir, "--out", out], work)
    expectClean(result)
    for (const input of inputs) expect(result.stderr).toContain(`${join(dir, basename(input.fixture))}: ${input.source}\n`)
    expect(result.stderr).toMatch(/skipped: .*nesfit-stratum_up-pool-endpoints\.csv: not a capture or flow export/)
    expect(result.stderr).toContain(" flows from 8 input(s) → ")
    expect(result.stderr).toContain("1 input(s) skipped")

    const flows = await readFlows(out)
    const of = (name: string): Array<Row> => flows.filter((row) => row["capture"] === basename(name))
    const dataRows = (relative: string): Array<string> => lines(fixture(relative)).slice(1)
    expect(of("slips-test3-mixed.binetflow")).toHaveLength(89)
    expect(of("peafowl-monero.argus-ra.csv")).toHaveLength(dataRows("flows/generated-from-mining-pcaps/peafowl-monero.argus-ra.csv").length)
    expect(of("python-cicflowmeter-new_flows.csv")).toHaveLength(24)
    expect(of("improved-Portscan_2500.csv")).toHaveLength(2500)
    expect(of("slips-test9-conn-json.log")).toHaveLength(576)
    expect(of("infectedPCAP-conn.log")).toHaveLength(lines(flowsFixture("zeek/infectedPCAP-conn.log")).filter((line) => !line.startsWith("#")).length)
    expect(of("peafowl-monero.pcap").length).toBeGreaterThan(0)
    const nfAll = lines(flowsFixture("generated-from-mining-pcaps/peafowl-monero.nfdump.csv"))
    const nfRecords = nfdumpRows(nfAll).map(nfdumpRecord(nfAll[0] ?? ""))
    expect(accountNfdump(nfRecords, of("peafowl-monero.nfdump.csv")).problems).toEqual([])
    expect(flowsLine(result.stderr)).toBe(flows.length)
  })
})
