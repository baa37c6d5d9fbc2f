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
 * read and the bad ones counted as `malformed_row`; a folder of mixed exports converted in one
 * command. Damaged copies are written to a temporary folder; the fixtures are read in place.
 * Does not hold: the adapters' golden cases and unit-level edge cases (each plugin's own tests),
 * captures (flows.test.ts).
 */
import { DuckDBInstance } from "@duckdb/node-api"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { expect, it } from "vitest"
import { hashhound, type CliResult } from "./cli-support.js"

const work = mkdtempSync(join(tmpdir(), "hh-flows-exports-"))
const flowsFixture = (relative: string): string => fixture(join("flows", relative))

type Value = string | number | null
type Row = Readonly<Record<string, Value>>

// ---------------------------------------------------------------------------------------------
// reading the CLI's output back

/** Canonical columns whose values are numbers (DuckDB hands BIGINTs over as strings, CSV as text). */
const NUMERIC: ReadonlySet<string> = new Set([
  "batch",
  "src_port",
  "dst_port",
  "protocol",
  "ip_version",
  "vlan_id",
  "first_seen_us",
  "last_seen_us",
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes",
  "fwd_payload_bytes",
  "bwd_payload_bytes"
])

const normalise = (row: Readonly<Record<string, unknown>>): Row =>
  Object.fromEntries(
    Object.entries(row).map(([name, value]): [string, Value] => {
      if (value === null || value === undefined || value === "") return [name, null]
      return [name, NUMERIC.has(name) ? Number(value) : String(value)]
    })
  )

const duckRows = async (sql: string): Promise<Array<Row>> => {
  const instance = await DuckDBInstance.create(":memory:")
  try {
    const connection = await instance.connect()
    const reader = await connection.runAndReadAll(sql)
    const rows = reader.getRowObjectsJson().map((row) => normalise(row as Record<string, unknown>))
    connection.closeSync()
    return rows
  } finally {
    instance.closeSync()
  }
}

/** `flow_id` is `dataset/capture/batch/index`: the position of the flow in its input. */
const position = (row: Row): readonly [string, number, number] => {
  const parts = String(row["flow_id"]).split("/")
  return [String(row["capture"]), Number(parts.at(-2)), Number(parts.at(-1))]
}

/** The flows of an output file (Parquet, CSV or JSONL), in input order. */
const readFlows = async (path: string): Promise<Array<Row>> => {
  const rows = path.endsWith(".jsonl")
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => normalise(JSON.parse(line) as Record<string, unknown>))
    : await duckRows(
        path.endsWith(".csv") ? `SELECT * FROM read_csv('${path}', header = true, all_varchar = true)` : `SELECT * FROM read_parquet('${path}')`
      )
  return rows.sort((a, b) => {
    const [ca, ba, ia] = position(a)
    const [cb, bb, ib] = position(b)
    return ca < cb ? -1 : ca > cb ? 1 : ba - bb || ia - ib
  })
}

/** Only the columns the expected rows name. */
const project = (rows: ReadonlyArray<Row>, like: ReadonlyArray<Row>): Array<Row> => {
  const names = Object.keys(like[0] ?? {})
  return rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])))
}

/** Exit 0 and nothing on stderr that looks like a crash. */
const expectClean = (result: CliResult): void => {
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  expect(result.stderr).not.toMatch(/FiberFailure|TypeError|RangeError|SyntaxError|Unhandled|Uncaught/)
}

// ---------------------------------------------------------------------------------------------
// the source files, read independently of the adapters

const lines = (path: string): Array<string> => readFileSync(path, "utf8").split("\n").filter((line) => line.trim() !== "")

const DATE_TIME = /^(\d{4})[-/](\d{2})[-/](\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/

/** `2017/12/25 10:03:08.350524` or `2017-07-07 18:08:57.763666` as µs since the epoch, read as UTC. */
const utcMicros = (text: string): number => {
  const m = DATE_TIME.exec(text.trim())
  expect(m, `a date-time: "${text}"`).not.toBeNull()
  const n = (i: number): number => Number(m?.[i] ?? "0")
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)) * 1000 + Number((m?.[7] ?? "").padEnd(6, "0"))
}

const micros = (seconds: number): number => Math.round(seconds * 1e6)
const withPorts = (protocol: number | null): boolean => protocol === 6 || protocol === 17
const versionOf = (address: string): number => (address.includes(":") ? 6 : 4)

/** Cell lookup by header name for one CSV line. */
const cellsBy = (header: string, sep = ","): ((line: string) => (name: string) => string) => {
  const names = header.split(sep).map((name) => name.trim())
  return (line) => {
    const cells = line.split(sep)
    return (name) => {
      const at = names.indexOf(name)
      expect(at, `column ${name}`).toBeGreaterThanOrEqual(0)
      return (cells[at] ?? "").trim()
    }
  }
}

/** argus `Proto` names in the fixtures; `ip` (between MAC addresses), `arp`, `man`, `llc` are not IP flows. */
const ARGUS_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["tcp", 6],
  ["udp", 17],
  ["icmp", 1],
  ["ipv6-icmp", 58],
  ["igmp", 2]
])
const ARGUS_NON_IP: ReadonlySet<string> = new Set(["ip", "arp", "rarp", "man", "llc"])

/** The flow an argus record should become, or "skip" for a non-IP record. */
const argusRow =
  (header: string) =>
  (line: string): Row | "skip" => {
    const cell = cellsBy(header)(line)
    const proto = cell("Proto")
    if (ARGUS_NON_IP.has(proto)) return "skip"
    const protocol = ARGUS_PROTOCOLS.get(proto)
    expect(protocol, `argus Proto "${proto}"`).toBeDefined()
    const ports = withPorts(protocol ?? null)
    const start = utcMicros(cell("StartTime"))
    const srcPkts = Number(cell("SrcPkts"))
    const srcBytes = Number(cell("SrcBytes"))
    const label = header.includes("Label") ? cell("Label") : ""
    return {
      src_ip: cell("SrcAddr"),
      dst_ip: cell("DstAddr"),
      src_port: ports ? Number(cell("Sport")) : null,
      dst_port: ports ? Number(cell("Dport")) : null,
      protocol: protocol ?? null,
      ip_version: versionOf(cell("SrcAddr")),
      first_seen_us: start,
      last_seen_us: start + micros(Number(cell("Dur"))),
      fwd_packets: srcPkts,
      bwd_packets: Number(cell("TotPkts")) - srcPkts,
      fwd_bytes: srcBytes,
      bwd_bytes: Number(cell("TotBytes")) - srcBytes,
      label_raw: label === "" ? null : label
    }
  }

/** Expected argus flows of `rows` (data lines) and how many non-IP records are skipped. */
const argusExpected = (header: string, rows: ReadonlyArray<string>): { flows: Array<Row>; skipped: number } => {
  const mapped = rows.map(argusRow(header))
  return { flows: mapped.filter((row): row is Row => row !== "skip"), skipped: mapped.filter((row) => row === "skip").length }
}

/** CIC-IDS2017 improved (Java CICFlowMeter): payload lengths, header-length totals, µs durations. */
const cicImprovedRow =
  (header: string) =>
  (line: string): Row => {
    const cell = cellsBy(header)(line)
    const proto = Number(cell("Protocol"))
    const protocol = proto === 0 ? null : proto // CICFlowMeter's 0 is "neither TCP nor UDP"
    const ports = withPorts(protocol)
    const version = versionOf(cell("Src IP"))
    const ipHeader = version === 6 ? 40 : 20
    const start = utcMicros(cell("Timestamp"))
    const bytes = (packets: string, payload: string, headers: string): number | null =>
      Number(cell(headers)) < 0 ? null : Number(cell(payload)) + Number(cell(headers)) + ipHeader * Number(cell(packets))
    return {
      src_ip: cell("Src IP"),
      dst_ip: cell("Dst IP"),
      src_port: ports ? Number(cell("Src Port")) : null,
      dst_port: ports ? Number(cell("Dst Port")) : null,
      protocol,
      ip_version: version,
      first_seen_us: start,
      last_seen_us: start + Number(cell("Flow Duration")),
      fwd_packets: Number(cell("Total Fwd Packet")),
      bwd_packets: Number(cell("Total Bwd packets")),
      fwd_payload_bytes: Number(cell("Total Length of Fwd Packet")),
      bwd_payload_bytes: Number(cell("Total Length of Bwd Packet")),
      fwd_bytes: bytes("Total Fwd Packet", "Total Length of Fwd Packet", "Fwd Header Length"),
      bwd_bytes: bytes("Total Bwd packets", "Total Length of Bwd Packet", "Bwd Header Length"),
      label_raw: cell("Label")
    }
  }

/** Python cicflowmeter: frame lengths (Ethernet II, 14 bytes below IP), durations in seconds, no label. */
const cicPythonRow =
  (header: string) =>
  (line: string): Row => {
    const cell = cellsBy(header)(line)
    const protocol = Number(cell("protocol"))
    const ports = withPorts(protocol)
    const start = utcMicros(cell("timestamp"))
    const ipBytes = (frames: string, packets: string): number => Math.max(0, Number(cell(frames)) - 14 * Number(cell(packets)))
    return {
      src_ip: cell("src_ip"),
      dst_ip: cell("dst_ip"),
      src_port: ports ? Number(cell("src_port")) : null,
      dst_port: ports ? Number(cell("dst_port")) : null,
      protocol,
      ip_version: versionOf(cell("src_ip")),
      first_seen_us: start,
      last_seen_us: start + micros(Number(cell("flow_duration"))),
      fwd_packets: Number(cell("tot_fwd_pkts")),
      bwd_packets: Number(cell("tot_bwd_pkts")),
      fwd_bytes: ipBytes("totlen_fwd_pkts", "tot_fwd_pkts"),
      bwd_bytes: ipBytes("totlen_bwd_pkts", "tot_bwd_pkts"),
      fwd_payload_bytes: null,
      label_raw: null
    }
  }

/** Zeek conn.log JSON: originator = src, IP-layer bytes from `*_ip_bytes`, payload from `*_bytes`. */
const zeekJsonRow = (line: string): Row => {
  const record = JSON.parse(line) as Record<string, unknown>
  const num = (name: string): number | null => (typeof record[name] === "number" ? Number(record[name]) : null)
  const src = String(record["id.orig_h"])
  const proto = String(record["proto"])
  const protocol = proto === "tcp" ? 6 : proto === "udp" ? 17 : proto === "icmp" ? (versionOf(src) === 6 ? 58 : 1) : null
  const ports = withPorts(protocol)
  const start = micros(Number(record["ts"]))
  const duration = num("duration")
  return {
    src_ip: src,
    dst_ip: String(record["id.resp_h"]),
    src_port: ports ? num("id.orig_p") : null,
    dst_port: ports ? num("id.resp_p") : null,
    protocol,
    ip_version: versionOf(src),
    first_seen_us: start,
    last_seen_us: duration === null ? null : start + micros(duration),
    fwd_packets: num("orig_pkts"),
    bwd_packets: num("resp_pkts"),
    fwd_bytes: num("orig_ip_bytes"),
    bwd_bytes: num("resp_ip_bytes"),
    fwd_payload_bytes: num("orig_bytes"),
    bwd_payload_bytes: num("resp_bytes"),
    app_proto: typeof record["service"] === "string" && record["service"] !== "" ? record["service"] : null,
    label_raw: null
  }
}

/** One one-way nfdump record. */
interface NfRecord {
  readonly src: string
  readonly dst: string
  readonly sp: number | null
  readonly dp: number | null
  readonly protocol: number
  readonly packets: number
  readonly bytes: number
  readonly start: number
  readonly end: number
}

const NFDUMP_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["TCP", 6],
  ["UDP", 17],
  ["ICMP", 1],
  ["ICMP6", 58]
])

/** The flow rows of an nfdump CSV: the lines between the header and the `Summary` block. */
const nfdumpRows = (all: ReadonlyArray<string>): Array<string> => {
  const summary = all.findIndex((line) => line.trim() === "Summary")
  return all.slice(1, summary < 0 ? undefined : summary)
}

const nfdumpRecord =
  (header: string) =>
  (line: string): NfRecord => {
    const cell = cellsBy(header)(line)
    const protocol = NFDUMP_PROTOCOLS.get(cell("pr"))
    expect(protocol, `nfdump pr "${cell("pr")}"`).toBeDefined()
    const ports = withPorts(protocol ?? null)
    const start = utcMicros(cell("ts"))
    return {
      src: cell("sa"),
      dst: cell("da"),
      sp: ports ? Number(cell("sp")) : null,
      dp: ports ? Number(cell("dp")) : null,
      protocol: protocol ?? -1,
      packets: Number(cell("ipkt")),
      bytes: Number(cell("ibyt")),
      start,
      end: start + micros(Number(cell("td")))
    }
  }

/**
 * Accounts every nfdump record for exactly one output flow: the forward side of each flow is a
 * record with its key, counts and start (= first_seen); a `paired` flow's backward side is the
 * reverse record, inside [first_seen, last_seen]. Returns what did not add up.
 */
const accountNfdump = (records: ReadonlyArray<NfRecord>, flows: ReadonlyArray<Row>): { problems: Array<string>; paired: number } => {
  const unused = new Set(records.map((_, index) => index))
  const problems: Array<string> = []
  let paired = 0
  const take = (test: (record: NfRecord) => boolean): NfRecord | undefined => {
    for (const index of unused) {
      const record = records[index]
      if (record !== undefined && test(record)) {
        unused.delete(index)
        return record
      }
    }
    return undefined
  }
  for (const flow of flows) {
    const fwd = take(
      (r) =>
        r.src === flow["src_ip"] &&
        r.dst === flow["dst_ip"] &&
        r.sp === flow["src_port"] &&
        r.dp === flow["dst_port"] &&
        r.protocol === flow["protocol"] &&
        r.packets === flow["fwd_packets"] &&
        r.bytes === flow["fwd_bytes"] &&
        r.start === flow["first_seen_us"]
    )
    if (fwd === undefined) {
      problems.push(`no record for the forward side of ${JSON.stringify(flow)}`)
      continue
    }
    const pairing = flow["biflow_pairing"]
    if (pairing === "paired") {
      paired++
      const bwd = take(
        (r) =>
          r.src === flow["dst_ip"] &&
          r.dst === flow["src_ip"] &&
          r.sp === flow["dst_port"] &&
          r.dp === flow["src_port"] &&
          r.protocol === flow["protocol"] &&
          r.packets === flow["bwd_packets"] &&
          r.bytes === flow["bwd_bytes"] &&
          r.start >= fwd.start
      )
      if (bwd === undefined) problems.push(`no record for the backward side of ${JSON.stringify(flow)}`)
      else if (flow["last_seen_us"] !== Math.max(fwd.end, bwd.end)) problems.push(`last_seen of ${JSON.stringify(flow)}`)
    } else {
      if (flow["last_seen_us"] !== fwd.end) problems.push(`last_seen of ${JSON.stringify(flow)}`)
      if (pairing === "unpaired" && (flow["bwd_packets"] !== 0 || flow["bwd_bytes"] !== 0)) problems.push(`unpaired with bwd counts: ${JSON.stringify(flow)}`)
      if (pairing === "ambiguous" && (flow["bwd_packets"] !== null || flow["bwd_bytes"] !== null)) problems.push(`ambiguous with bwd counts: ${JSON.stringify(flow)}`)
      if (pairing !== "unpaired" && pairing !== "ambiguous") problems.push(`biflow_pairing ${String(pairing)}: ${JSON.stringify(flow)}`)
    }
  }
  for (const index of unused) problems.push(`record not in any flow: ${JSON.stringify(records[index])}`)
  return { problems, paired }
}

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

const flowsLine = (stderr: string): number => {
  const m = /^([\d,]+) flows from \d+ input\(s\)/m.exec(stderr)
  expect(m, stderr).not.toBeNull()
  return Number((m?.[1] ?? "").replaceAll(",", ""))
}

// ---------------------------------------------------------------------------------------------

describeFixtures("hashhound flows on the real flow exports (format detected from the content)", () => {
  it("argus ra CSV → Parquet: source.argus, one flow per IP record, the non-IP record skipped and counted", async () => {
    const input = flowsFixture("generated-from-mining-pcaps/nesfit-cgminer.s0.argus-ra.csv")
    const out = join(work, "argus-ra.parquet")
    const result = hashhound(["flows", input, "--out", out, "--format", "parquet"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.argus`)
    const [header = "", ...rows] = lines(input)
    const expected = argusExpected(header, rows)
    expect(rows).toHaveLength(351)
    expect(expected.skipped).toBe(1) // one `ip` record between two MAC addresses
    expect(result.stderr).toMatch(/nesfit-cgminer\.s0\.argus-ra\.csv non_ip_record ×1: .*"ip"/)
    const flows = await readFlows(out)
    expect(flows).toHaveLength(350)
    expect(flowsLine(result.stderr)).toBe(350)
    expect(project(flows, expected.flows)).toEqual(expected.flows)
    expect(new Set(flows.map((flow) => flow["protocol"]))).toEqual(new Set([6, 17, 1, 58]))
  })

  it("argus CTU-13 binetflow → JSONL: source.argus, every record with its Label column", async () => {
    const input = flowsFixture("argus/slips-test3-mixed.binetflow")
    const out = join(work, "binetflow.jsonl")
    const result = hashhound(["flows", input, "--out", out, "--format", "jsonl"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.argus`)
    const [header = "", ...rows] = lines(input)
    expect(header.split(",").at(-1)).toBe("Label")
    const expected = argusExpected(header, rows)
    expect(expected.flows).toHaveLength(89)
    const flows = await readFlows(out)
    expect(project(flows, expected.flows)).toEqual(expected.flows)
    // IPv6 rows keep their addresses and version
    expect(flows.filter((flow) => flow["ip_version"] === 6).length).toBeGreaterThan(0)
  })

  it("nfdump 1.7 CSV → CSV: source.nfdump-csv, every one-way record in exactly one flow, Summary agreed", async () => {
    const input = flowsFixture("generated-from-mining-pcaps/nesfit-cgminer.s0.nfdump.csv")
    const out = join(work, "nfdump.csv")
    const result = hashhound(["flows", input, "--out", out, "--format", "csv"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.nfdump-csv`)
    const all = lines(input)
    const header = all[0] ?? ""
    const records = nfdumpRows(all).map(nfdumpRecord(header))
    expect(records).toHaveLength(456)
    expect(result.stderr).toMatch(/nesfit-cgminer\.s0\.nfdump\.csv summary_checked ×456/)
    const flows = await readFlows(out)
    const { problems, paired } = accountNfdump(records, flows)
    expect(problems).toEqual([])
    expect(paired).toBeGreaterThan(0)
    expect(flows).toHaveLength(records.length - paired)
    expect(flowsLine(result.stderr)).toBe(records.length - paired)
    expect(new Set(flows.map((flow) => flow["protocol"]))).toEqual(new Set([6, 17, 1, 58]))
  })

  it("CICFlowMeter CSV, improved CIC-IDS2017 (91 columns) → JSONL: source.cicflowmeter-csv, payload + headers as IP bytes, Label kept", async () => {
    const input = flowsFixture("cicids2017/improved-BENIGN_2500.csv")
    const out = join(work, "cic-improved.jsonl")
    const result = hashhound(["flows", input, "--out", out, "--format", "jsonl"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.cicflowmeter-csv`)
    const [header = "", ...rows] = lines(input)
    expect(header.split(",")).toHaveLength(91)
    const expected = rows.map(cicImprovedRow(header))
    expect(expected).toHaveLength(2500)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
    // the 4 rows with Protocol 0 are flows with a null protocol, counted
    expect(result.stderr).toMatch(/improved-BENIGN_2500\.csv unknown_protocol ×4/)
    expect(flows.filter((flow) => flow["label_raw"] === "BENIGN")).toHaveLength(2500)
  })

  it("CICFlowMeter CSV, Python cicflowmeter (snake_case) → CSV: source.cicflowmeter-csv, seconds and frame lengths converted", async () => {
    const input = flowsFixture("cicids2017/python-cicflowmeter-new_flows.csv")
    const out = join(work, "cic-python.csv")
    const result = hashhound(["flows", input, "--out", out, "--format", "csv"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.cicflowmeter-csv`)
    const [header = "", ...rows] = lines(input)
    const expected = rows.map(cicPythonRow(header))
    expect(expected).toHaveLength(24)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("Zeek conn.log JSON lines → Parquet: source.zeek-conn, relative ts kept as µs and reported", async () => {
    const input = flowsFixture("zeek/slips-test9-conn-json.log")
    const out = join(work, "zeek-json.parquet")
    const result = hashhound(["flows", input, "--out", out, "--format", "parquet"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${input}: source.zeek-conn`)
    expect(result.stderr).toMatch(/slips-test9-conn-json\.log relative_timestamps ×576/)
    const expected = lines(input).map(zeekJsonRow)
    expect(expected).toHaveLength(576)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
  })

  // -------------------------------------------------------------------------------------------
  // damaged copies: a garbage line, a non-numeric count, a truncated last line

  it("argus: a damaged copy still converts; its 3 bad rows are malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("argus/slips-test3-mixed.binetflow"))
    const { path, good } = damage("argus-damaged.binetflow", header, rows, withCell(header, "SrcBytes", "1O4"))
    const out = join(work, "argus-damaged.jsonl")
    const result = hashhound(["flows", path, "--out", out], work)
    expectClean(result)
    expect(result.stderr).toContain(`${path}: source.argus`)
    expect(result.stderr).toMatch(/warn: argus-damaged\.binetflow malformed_row ×3 \(first at byte \d+\): line 5: /)
    const expected = argusExpected(header, good).flows
    expect(expected).toHaveLength(87)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
    expect(flowsLine(result.stderr)).toBe(87)
  })

  it("nfdump: a damaged copy cut before its Summary still converts; malformed_row ×3, every good record in a flow", async () => {
    const all = lines(flowsFixture("generated-from-mining-pcaps/peafowl-stratum.nfdump.csv"))
    const header = all[0] ?? ""
    const rows = nfdumpRows(all)
    expect(rows).toHaveLength(25)
    const { path, good } = damage("nfdump-damaged.csv", header, rows, withCell(header, "ibyt", "9x1"))
    const out = join(work, "nfdump-damaged.csv")
    const result = hashhound(["flows", path, "--out", out, "--format", "csv"], work)
    expectClean(result)
    expect(result.stderr).toContain(`${path}: source.nfdump-csv`)
    expect(result.stderr).toMatch(/warn: nfdump-damaged\.csv malformed_row ×3 \(first at byte \d+\): line 5: ibyt "9x1"/)
    const records = good.map(nfdumpRecord(header))
    expect(records).toHaveLength(23)
    const flows = await readFlows(out)
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
    const out = join(work, "nfdump-summary.jsonl")
    const result = hashhound(["flows", path, "--out", out], work)
    expectClean(result)
    expect(result.stderr).toMatch(/nfdump-summary\.csv malformed_row ×1 .*line 7: ipkt "seven"/)
    expect(result.stderr).toMatch(/nfdump-summary\.csv summary_mismatch ×1 .*flows 25 but 24 records read.*\(1 malformed row not read\)/)
    const records = [...rows.slice(0, 5), ...rows.slice(6)].map(nfdumpRecord(header))
    const { problems } = accountNfdump(records, await readFlows(out))
    expect(problems).toEqual([])
  })

  it("CICFlowMeter improved: a damaged copy still converts; malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("cicids2017/improved-BENIGN_2500.csv")).slice(0, 61)
    const { path, good } = damage("cic-damaged.csv", header, rows, withCell(header, "Total Fwd Packet", "lots"))
    const out = join(work, "cic-damaged.parquet")
    const result = hashhound(["flows", path, "--out", out], work)
    expectClean(result)
    expect(result.stderr).toContain(`${path}: source.cicflowmeter-csv`)
    expect(result.stderr).toMatch(/warn: cic-damaged\.csv malformed_row ×3 \(first at byte \d+\): line 5: Total Fwd Packet "lots" is not a number/)
    const expected = good.map(cicImprovedRow(header))
    expect(expected).toHaveLength(58)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("CICFlowMeter Python: a damaged copy still converts; malformed_row ×3, every good row is read", async () => {
    const [header = "", ...rows] = lines(flowsFixture("cicids2017/python-cicflowmeter-new_flows.csv"))
    const { path, good } = damage("cic-python-damaged.csv", header, rows, withCell(header, "tot_bwd_pkts", "1e"))
    const out = join(work, "cic-python-damaged.jsonl")
    const result = hashhound(["flows", path, "--out", out], work)
    expectClean(result)
    expect(result.stderr).toContain(`${path}: source.cicflowmeter-csv`)
    expect(result.stderr).toMatch(/warn: cic-python-damaged\.csv malformed_row ×3 .*line 5: tot_bwd_pkts "1e" is not a number/)
    const expected = good.map(cicPythonRow(header))
    expect(expected).toHaveLength(22)
    const flows = await readFlows(out)
    expect(project(flows, expected)).toEqual(expected)
  })

  it("Zeek JSON: a damaged copy still converts; malformed_row ×3, every good record is read", async () => {
    const rows = lines(flowsFixture("zeek/slips-test9-conn-json.log")).slice(0, 60)
    const spoil = (row: string): string => row.replace(/"orig_pkts":\d+/, '"orig_pkts":"lots"')
    const { path, good } = damage("zeek-damaged.log", undefined, rows, spoil)
    const out = join(work, "zeek-damaged.csv")
    const result = hashhound(["flows", path, "--out", out], work)
    expectClean(result)
    expect(result.stderr).toContain(`${path}: source.zeek-conn`)
    expect(result.stderr).toMatch(/warn: zeek-damaged\.log malformed_row ×3 .*line 4: orig_pkts "lots"/)
    const expected = good.map(zeekJsonRow)
    expect(expected).toHaveLength(58)
    const flows = await readFlows(out)
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
