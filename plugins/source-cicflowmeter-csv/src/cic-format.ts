/**
 * CICFlowMeter CSV rows onto canonical flow columns: units (µs or s to seconds), the IP-layer
 * byte and packet-length figures derived from CIC's payload lengths and header lengths (or from
 * frame lengths for the Python tool), timestamps without a zone, and `Infinity`/`NaN` as null.
 *
 * Holds: `detectCic` and `cicParser`, a LineParser over the layouts in `cic-columns.ts`.
 * Does not hold: file reading or batching (`readLines` and `FlowSink` from @hashhound/flowmeter).
 */
import { InputError } from "@hashhound/core"
import {
  cellNumber,
  type FlowSink,
  fractionMicros,
  hasPorts,
  ipVersionOf,
  isoLikeToMicros,
  type LineParser,
  portNumber,
  protocolNumber,
  type TextLine
} from "@hashhound/flowmeter"
import { layoutOf, type CicField, type CicLayout } from "./cic-columns.js"

export const CIC_COLUMNS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "ip_version",
  "first_seen_us",
  "last_seen_us",
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes",
  "fwd_payload_bytes",
  "bwd_payload_bytes",
  "fwd_pkt_len_min",
  "fwd_pkt_len_mean",
  "fwd_pkt_len_max",
  "fwd_pkt_len_std",
  "bwd_pkt_len_min",
  "bwd_pkt_len_mean",
  "bwd_pkt_len_max",
  "bwd_pkt_len_std",
  "pkt_len_min",
  "pkt_len_mean",
  "pkt_len_max",
  "pkt_len_std",
  "iat_mean_s",
  "iat_std_s",
  "iat_min_s",
  "iat_max_s",
  "fwd_iat_mean_s",
  "fwd_iat_std_s",
  "fwd_iat_min_s",
  "fwd_iat_max_s",
  "bwd_iat_mean_s",
  "bwd_iat_std_s",
  "bwd_iat_min_s",
  "bwd_iat_max_s",
  "fwd_psh",
  "bwd_psh",
  "fwd_urg",
  "bwd_urg",
  "fwd_rst",
  "bwd_rst",
  "fwd_init_win",
  "bwd_init_win",
  "label_raw"
] as const

/** How sure we are (0..1) that a file starting with `head` is CICFlowMeter CSV. */
export const detectCic = (head: Uint8Array): number => {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("utf8")
  const first = text.split(/\r?\n/).find((line) => line.trim() !== "") ?? ""
  return "missing" in layoutOf(first) ? 0 : 0.95
}

interface LengthStats {
  /** CIC min, mean, max, std */
  readonly in: readonly [CicField, CicField, CicField, CicField]
  /** canonical min, mean, max, std */
  readonly out: readonly [string, string, string, string]
}
const FWD_LENGTHS: LengthStats = {
  in: ["fwd_len_min", "fwd_len_mean", "fwd_len_max", "fwd_len_std"],
  out: ["fwd_pkt_len_min", "fwd_pkt_len_mean", "fwd_pkt_len_max", "fwd_pkt_len_std"]
}
const BWD_LENGTHS: LengthStats = {
  in: ["bwd_len_min", "bwd_len_mean", "bwd_len_max", "bwd_len_std"],
  out: ["bwd_pkt_len_min", "bwd_pkt_len_mean", "bwd_pkt_len_max", "bwd_pkt_len_std"]
}
const ALL_LENGTHS: LengthStats = {
  in: ["len_min", "len_mean", "len_max", "len_std"],
  out: ["pkt_len_min", "pkt_len_mean", "pkt_len_max", "pkt_len_std"]
}

export type DateOrder = "dmy" | "mdy"

export interface CicOptions {
  readonly path: string
  readonly timezoneOffsetMin: number
  readonly dateOrder: DateOrder
  /** bytes below IP in the Python tool's frame lengths (14: Ethernet II) */
  readonly linkHeaderBytes: number
  /** "auto": the variant's own unit */
  readonly timeUnit: "auto" | "us" | "s"
}

const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AaPp][Mm])?$/

/**
 * CIC timestamps: `2017-07-07 12:59:21.088203`, or slashed `7/7/2017 3:30`, `7/7/2017 3:30:12`,
 * `07/07/2017 03:30:12 PM` (day first unless `mdy`). The zone is not written; `offsetMin` says it.
 */
export const cicTimeMicros = (text: string, order: DateOrder, offsetMin: number): number => {
  const m = SLASH_DATE.exec(text)
  if (m === null) return isoLikeToMicros(text, offsetMin)
  const [, a, b, y, h, mi, s, frac, ampm] = m
  const day = Number(order === "dmy" ? a : b)
  const month = Number(order === "dmy" ? b : a)
  let year = Number(y)
  if (year < 100) year += 2000
  let hour = Number(h)
  if (ampm !== undefined) {
    const pm = ampm.toLowerCase() === "pm"
    if (hour < 1 || hour > 12) return Number.NaN
    hour = (hour % 12) + (pm ? 12 : 0)
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23) return Number.NaN
  const base = Date.UTC(year, month - 1, day, hour, Number(mi), Number(s ?? "0"))
  return base * 1000 + fractionMicros(frac) - offsetMin * 60_000_000
}

export const cicParser = (sink: FlowSink, options: CicOptions): LineParser => {
  let layout: CicLayout | undefined
  let headerNames: Array<string> = []
  let timeDivisor = 1e6

  const header = (line: TextLine): InputError | undefined => {
    const found = layoutOf(line.text)
    if ("missing" in found) {
      return new InputError({
        path: options.path,
        reason: `not a CICFlowMeter CSV: the header line (line ${line.line}) lacks ${found.missing.join(", ")}; expected a CICFlowMeter header (CIC-IDS2017 " Flow Duration, Total Fwd Packets, …", the improved re-extraction, CICFlowMeter-V4 or Python cicflowmeter snake_case)`
      })
    }
    layout = found
    headerNames = line.text.split(",").map((name) => name.trim())
    const unit = options.timeUnit === "auto" ? found.timeUnit : options.timeUnit
    timeDivisor = unit === "us" ? 1e6 : 1
    return undefined
  }

  // the row being read, and the first bad numeric cell in it
  let cells: ReadonlyArray<string> = []
  let bad: string | undefined
  const raw = (field: CicField): string | undefined => {
    const at = layout?.index.get(field)
    return at === undefined ? undefined : (cells[at] ?? "").trim()
  }
  /** a numeric cell; undefined when absent or null (`Infinity`, `NaN`, empty); records the first bad cell */
  const num = (field: CicField): number | undefined => {
    const text = raw(field)
    if (text === undefined) return undefined
    const value = cellNumber(text)
    if (value !== undefined && Number.isNaN(value)) {
      bad ??= `${headerNames[layout?.index.get(field) ?? -1] ?? field} "${text}" is not a number`
      return undefined
    }
    return value
  }
  const plus = (value: number | undefined, add: number | undefined): number | undefined =>
    value === undefined || add === undefined ? undefined : value + add
  /** CIC writes 0 for the IAT of fewer than two packets; canonical says null */
  const seconds = (field: CicField, packets: number | undefined): number | undefined => {
    const value = num(field)
    return value === undefined || (packets !== undefined && packets < 2) ? undefined : value / timeDivisor
  }
  /**
   * Packet-length statistics as IP-layer lengths: min, mean and max move by the per-packet
   * bytes `add`, std does not; nothing when the direction has no packets.
   */
  const lengths = (stats: LengthStats, add: number | undefined, packets: number | undefined): void => {
    const none = packets === 0 || add === undefined
    sink.num(stats.out[0], none ? undefined : plus(num(stats.in[0]), add))
    sink.num(stats.out[1], none ? undefined : plus(num(stats.in[1]), add))
    sink.num(stats.out[2], none ? undefined : plus(num(stats.in[2]), add))
    sink.num(stats.out[3], none ? undefined : num(stats.in[3]))
  }

  /** Map the current row; a string is the reason it is malformed. */
  const row = (shape: CicLayout): string | undefined => {
    bad = undefined
    // key
    const srcIp = raw("src_ip")
    const dstIp = raw("dst_ip")
    let version: number | undefined
    if (srcIp !== undefined && srcIp !== "") {
      const v = ipVersionOf(srcIp)
      if (v === 0) return `source address "${srcIp}" is not an IP address`
      if (dstIp !== undefined && ipVersionOf(dstIp) !== v) return `destination address "${dstIp}" is not an IPv${v} address`
      version = v
    }
    const protoText = raw("protocol")
    let protocol = protoText === undefined || protoText === "" ? undefined : protocolNumber(protoText)
    if (protoText !== undefined && protoText !== "" && protocol === undefined) return `Protocol "${protoText}" is not an IP protocol`
    if (protocol === 0) {
      // CICFlowMeter writes 0 for "neither TCP nor UDP"; IANA 0 (HOPOPT) is never a flow protocol
      sink.tally("unknown_protocol", "0", "info", (_, n) => `${n} flow${n === 1 ? "" : "s"} with Protocol 0 (CICFlowMeter: neither TCP nor UDP): protocol left null`)
      protocol = undefined
    }
    let srcPort: number | undefined
    let dstPort: number | undefined
    if (hasPorts(protocol) || protoText === undefined) {
      const sp = raw("src_port")
      const dp = raw("dst_port")
      srcPort = sp === undefined ? undefined : portNumber(sp)
      dstPort = dp === undefined ? undefined : portNumber(dp)
      if (Number.isNaN(srcPort)) return `source port "${sp}" is not a port`
      if (Number.isNaN(dstPort)) return `destination port "${dp}" is not a port`
    }

    // time
    let first: number | undefined
    const ts = raw("timestamp")
    if (ts !== undefined && ts !== "") {
      first = cicTimeMicros(ts, options.dateOrder, options.timezoneOffsetMin)
      if (Number.isNaN(first)) return `Timestamp "${ts}" is not a date-time`
    }
    let duration = num("duration")
    if (duration !== undefined && duration < 0) {
      sink.tally("negative_duration", "Flow Duration", "info", (_, n) => `${n} flow${n === 1 ? "" : "s"} with a negative Flow Duration (a CICFlowMeter clock artefact): duration left null`)
      duration = undefined
    }
    const durationS = duration === undefined ? undefined : duration / timeDivisor

    // volume
    const fwdPkts = num("fwd_pkts")
    const bwdPkts = num("bwd_pkts")
    const fwdLen = num("fwd_len")
    const bwdLen = num("bwd_len")
    const fwdHdr = num("fwd_hdr")
    const bwdHdr = num("bwd_hdr")
    if (bad !== undefined) return bad
    for (const value of [fwdPkts, bwdPkts, fwdLen, bwdLen]) if (value !== undefined && value < 0) return "a packet or byte total is negative"
    const allPkts = fwdPkts === undefined || bwdPkts === undefined ? undefined : fwdPkts + bwdPkts

    // per-packet bytes to add to a CIC length to get an IP-layer length (Java: transport header
    // from the header-length total + the IP header; Python: minus the link header)
    let fwdAdd: number | undefined
    let bwdAdd: number | undefined
    let allAdd: number | undefined
    let fwdBytes: number | undefined
    let bwdBytes: number | undefined
    if (shape.lengths === "payload") {
      const ipHeader = version === 6 ? 40 : version === 4 ? 20 : undefined
      // the original CIC-IDS2017 has negative (overflowed) header lengths: no estimate then
      const fh = fwdHdr !== undefined && fwdHdr >= 0 ? fwdHdr : undefined
      const bh = bwdHdr !== undefined && bwdHdr >= 0 ? bwdHdr : undefined
      if (ipHeader !== undefined && fh !== undefined && fwdPkts !== undefined) {
        if (fwdPkts > 0) fwdAdd = fh / fwdPkts + ipHeader
        if (fwdLen !== undefined) fwdBytes = fwdLen + fh + ipHeader * fwdPkts
      }
      if (ipHeader !== undefined && bh !== undefined && bwdPkts !== undefined) {
        if (bwdPkts > 0) bwdAdd = bh / bwdPkts + ipHeader
        if (bwdLen !== undefined) bwdBytes = bwdLen + bh + ipHeader * bwdPkts
      }
      if (ipHeader !== undefined && fh !== undefined && bh !== undefined && allPkts !== undefined && allPkts > 0) {
        allAdd = (fh + bh) / allPkts + ipHeader
      }
    } else {
      const link = options.linkHeaderBytes
      fwdAdd = -link
      bwdAdd = -link
      allAdd = -link
      if (fwdLen !== undefined && fwdPkts !== undefined) fwdBytes = Math.max(0, fwdLen - link * fwdPkts)
      if (bwdLen !== undefined && bwdPkts !== undefined) bwdBytes = Math.max(0, bwdLen - link * bwdPkts)
    }

    const tcp = protocol === 6
    sink.begin()
    sink.str("src_ip", srcIp === "" ? null : srcIp)
    sink.str("dst_ip", dstIp === "" ? null : dstIp)
    sink.num("src_port", srcPort)
    sink.num("dst_port", dstPort)
    sink.num("protocol", protocol)
    sink.num("ip_version", version)
    sink.num("first_seen_us", first)
    sink.num("last_seen_us", first === undefined || durationS === undefined ? undefined : first + Math.round(durationS * 1e6))
    sink.num("duration_s", durationS)
    sink.num("fwd_packets", fwdPkts)
    sink.num("bwd_packets", bwdPkts)
    sink.num("fwd_bytes", fwdBytes)
    sink.num("bwd_bytes", bwdBytes)
    sink.num("fwd_payload_bytes", shape.lengths === "payload" ? fwdLen : undefined)
    sink.num("bwd_payload_bytes", shape.lengths === "payload" ? bwdLen : undefined)
    lengths(FWD_LENGTHS, fwdAdd, fwdPkts)
    lengths(BWD_LENGTHS, bwdAdd, bwdPkts)
    lengths(ALL_LENGTHS, allAdd, allPkts)
    sink.num("iat_mean_s", seconds("iat_mean", allPkts))
    sink.num("iat_std_s", seconds("iat_std", allPkts))
    sink.num("iat_min_s", seconds("iat_min", allPkts))
    sink.num("iat_max_s", seconds("iat_max", allPkts))
    sink.num("fwd_iat_mean_s", seconds("fwd_iat_mean", fwdPkts))
    sink.num("fwd_iat_std_s", seconds("fwd_iat_std", fwdPkts))
    sink.num("fwd_iat_min_s", seconds("fwd_iat_min", fwdPkts))
    sink.num("fwd_iat_max_s", seconds("fwd_iat_max", fwdPkts))
    sink.num("bwd_iat_mean_s", seconds("bwd_iat_mean", bwdPkts))
    sink.num("bwd_iat_std_s", seconds("bwd_iat_std", bwdPkts))
    sink.num("bwd_iat_min_s", seconds("bwd_iat_min", bwdPkts))
    sink.num("bwd_iat_max_s", seconds("bwd_iat_max", bwdPkts))
    // flags and initial windows are TCP's; a window of -1 means none was seen
    sink.num("fwd_psh", tcp ? num("fwd_psh") : undefined)
    sink.num("bwd_psh", tcp ? num("bwd_psh") : undefined)
    sink.num("fwd_urg", tcp ? num("fwd_urg") : undefined)
    sink.num("bwd_urg", tcp ? num("bwd_urg") : undefined)
    sink.num("fwd_rst", tcp ? num("fwd_rst") : undefined)
    sink.num("bwd_rst", tcp ? num("bwd_rst") : undefined)
    const fwdWin = num("fwd_win")
    const bwdWin = num("bwd_win")
    sink.num("fwd_init_win", !tcp || fwdWin === undefined || fwdWin < 0 || fwdPkts === 0 ? undefined : fwdWin)
    sink.num("bwd_init_win", !tcp || bwdWin === undefined || bwdWin < 0 || bwdPkts === 0 ? undefined : bwdWin)
    const label = raw("label")
    sink.str("label_raw", label === undefined || label === "" ? null : label)
    if (bad !== undefined) {
      sink.discard()
      return bad
    }
    sink.commit()
    return undefined
  }

  return {
    line: (line) => {
      if (line.text.trim() === "") return undefined
      if (layout === undefined) return header(line)
      cells = line.text.split(",")
      if (/^[,\s]*$/.test(line.text)) {
        // the original CIC-IDS2017 Thursday file has long runs of rows with every cell empty
        sink.tally("empty_row", "", "info", (_, n) => `${n} row${n === 1 ? "" : "s"} with every cell empty skipped`)
        return undefined
      }
      if (cells.length !== layout.width) {
        sink.malformed(line.line, line.offset, `expected ${layout.width} cells, found ${cells.length}`)
        return undefined
      }
      const problem = row(layout)
      if (problem !== undefined) sink.malformed(line.line, line.offset, problem)
      return undefined
    },
    end: () =>
      layout === undefined ? new InputError({ path: options.path, reason: "not a CICFlowMeter CSV: the file is empty (no header line)" }) : undefined
  }
}
