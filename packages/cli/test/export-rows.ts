/**
 * The real flow exports read independently of the adapters, for the export tests: per format
 * (argus, CICFlowMeter improved and Python, Zeek JSON, nfdump) the canonical flow each source
 * row should become, and the accounting of nfdump's one-way records against the flows.
 * Does not hold: reading the CLI's output (`flows-output.ts`) or the tests.
 */
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import type { Row } from "./flows-output.js"
// ---------------------------------------------------------------------------------------------
// the source files, read independently of the adapters

export const lines = (path: string): Array<string> => readFileSync(path, "utf8").split("\n").filter((line) => line.trim() !== "")

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
export const argusExpected = (header: string, rows: ReadonlyArray<string>): { flows: Array<Row>; skipped: number } => {
  const mapped = rows.map(argusRow(header))
  return { flows: mapped.filter((row): row is Row => row !== "skip"), skipped: mapped.filter((row) => row === "skip").length }
}

/** CIC-IDS2017 improved (Java CICFlowMeter): payload lengths, header-length totals, µs durations. */
export const cicImprovedRow =
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
export const cicPythonRow =
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
export const zeekJsonRow = (line: string): Row => {
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
export const nfdumpRows = (all: ReadonlyArray<string>): Array<string> => {
  const summary = all.findIndex((line) => line.trim() === "Summary")
  return all.slice(1, summary < 0 ? undefined : summary)
}

export const nfdumpRecord =
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
export const accountNfdump = (records: ReadonlyArray<NfRecord>, flows: ReadonlyArray<Row>): { problems: Array<string>; paired: number } => {
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

