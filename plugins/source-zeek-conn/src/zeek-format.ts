/**
 * Zeek `conn.log`, as TSV (`#separator`, `#fields`, `#types`, `#close` directives) or as JSON
 * lines: header handling, recognition, and the per-record mapping onto canonical flow columns.
 *
 * Holds: `detectZeekConn` (confidence from the first lines) and `zeekConnParser`, a LineParser
 * that follows directives (a file may carry several `#fields` headers), reads TSV rows or JSON
 * objects, and writes one flow per connection record.
 * Does not hold: file reading or batching (`readLines` and `FlowSink` from @hashhound/flowmeter).
 */
import { InputError, FLOW_RECORD_COLUMNS } from "@hashhound/core"
import {
  decimalSecondsToMicros,
  type FlowSink,
  hasPorts,
  ipVersionOf,
  isoLikeToMicros,
  type LineParser,
  portNumber,
  protocolNumber,
  type TextLine
} from "@hashhound/flowmeter"

export const ZEEK_COLUMNS: ReadonlyArray<string> = [...FLOW_RECORD_COLUMNS, "fwd_payload_bytes", "bwd_payload_bytes", "end_reason", "app_proto", "label_raw"]

/** The conn.log fields read; every other field (uid, history, local_orig, …) is dropped. */
const FIELDS = [
  "ts",
  "id.orig_h",
  "id.orig_p",
  "id.resp_h",
  "id.resp_p",
  "proto",
  "service",
  "duration",
  "orig_bytes",
  "resp_bytes",
  "conn_state",
  "orig_pkts",
  "orig_ip_bytes",
  "resp_pkts",
  "resp_ip_bytes",
  "vlan",
  "label",
  "detailed-label",
  "detailed_label"
] as const
type Field = (typeof FIELDS)[number]
const REQUIRED: ReadonlyArray<Field> = ["ts", "id.orig_h", "id.resp_h"]
/** Fields only conn.log has (dns.log, http.log … share the id fields); at least one must be there. */
const CONN_ONLY: ReadonlyArray<Field> = ["conn_state", "orig_pkts", "orig_bytes", "duration"]

/** Timestamps before 1980 are taken as relative to the capture start (Zeek run with a zero base). */
const RELATIVE_BEFORE_US = 315_532_800 * 1e6

/** Canonical end reason from a TCP conn_state. */
const endReasonOf = (state: string): string | null => {
  switch (state) {
    case "SF":
      return "fin"
    case "REJ":
    case "RSTO":
    case "RSTR":
    case "RSTOS0":
    case "RSTRH":
      return "rst"
    default:
      return null
  }
}

const unescape = (text: string): string => text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))

const textOf = (head: Uint8Array): string => Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("utf8")

/** How sure we are (0..1) that a file starting with `head` is a Zeek conn log. */
export const detectZeekConn = (head: Uint8Array): number => {
  const lines = textOf(head).split(/\r?\n/).filter((line) => line.trim() !== "")
  const first = (lines[0] ?? "").replace(/^\uFEFF/, "").trim()
  if (first.startsWith("#separator")) {
    const fields = lines.find((line) => line.startsWith("#fields"))
    if (fields === undefined) return 0.5
    const conn = REQUIRED.every((name) => fields.includes(name)) && CONN_ONLY.some((name) => fields.includes(name))
    return conn ? 0.97 : REQUIRED.every((name) => fields.includes(name)) ? 0.6 : 0.2
  }
  if (first.startsWith("{")) {
    try {
      const record: unknown = JSON.parse(first)
      if (typeof record !== "object" || record === null) return 0
      const keys = Object.keys(record)
      if (!REQUIRED.every((name) => keys.includes(name))) return 0.05
      return CONN_ONLY.some((name) => keys.includes(name)) ? 0.95 : 0.1
    } catch {
      return 0
    }
  }
  return 0
}

export interface ZeekOptions {
  readonly path: string
  readonly tsOffsetUs: number
  readonly timezoneOffsetMin: number
}

export const zeekConnParser = (sink: FlowSink, options: ZeekOptions): LineParser => {
  let mode: "start" | "tsv" | "json" = "start"
  let separator = "\t"
  let unset = "-"
  let empty = "(empty)"
  let names: Array<string> | undefined
  /** for each header cell, how many names it holds (IoT-23 writes `tunnel_parents   label   detailed-label` in one cell) */
  let spans: Array<number> = []
  const index = new Map<Field, number>()
  let relativeRows = 0
  let firstRelative: number | undefined

  const wrongFormat = (line: TextLine, why: string) =>
    new InputError({ path: options.path, reason: `not a Zeek conn log: ${why} (line ${line.line}); expected a #separator/#fields header or JSON lines with ts, id.orig_h, id.resp_h` })

  const fieldsHeader = (line: TextLine): InputError | undefined => {
    let cells = line.text.split(separator).slice(1)
    if (cells.length === 0 || (cells.length === 1 && /\s/.test(cells[0]!.trim()))) cells = line.text.trim().split(/\s+/).slice(1)
    const expanded: Array<string> = []
    spans = []
    for (const cell of cells) {
      const parts = cell.trim().split(/\s+/).filter((part) => part !== "")
      spans.push(Math.max(1, parts.length))
      expanded.push(...(parts.length === 0 ? [""] : parts))
    }
    const missing = REQUIRED.filter((field) => !expanded.includes(field))
    if (missing.length > 0) return wrongFormat(line, `#fields lacks ${missing.join(", ")}`)
    if (!CONN_ONLY.some((field) => expanded.includes(field))) return wrongFormat(line, `#fields has none of ${CONN_ONLY.join(", ")} (another Zeek log?)`)
    names = expanded
    index.clear()
    for (const field of FIELDS) {
      const at = expanded.indexOf(field)
      if (at >= 0) index.set(field, at)
    }
    return undefined
  }

  const directive = (line: TextLine): InputError | undefined => {
    const text = line.text
    if (text.startsWith("#separator")) {
      const value = text.slice("#separator".length).trim()
      separator = unescape(value) || "\t"
      return undefined
    }
    const key = text.split(/[\t ]/, 1)[0]!
    const value = text.slice(key.length).replace(/^[\t ]/, "").trim()
    switch (key) {
      case "#unset_field":
        unset = value
        return undefined
      case "#empty_field":
        empty = value
        return undefined
      case "#fields":
        return fieldsHeader(line)
      default:
        return undefined // #set_separator, #path, #open, #types, #close and comments
    }
  }

  // the record being read: TSV cells or a JSON object (one of them), looked up by field
  let rowCells: ReadonlyArray<string> | undefined
  let rowObject: Record<string, unknown> | undefined
  const get = (field: Field): unknown => {
    if (rowObject !== undefined) return rowObject[field]
    const at = index.get(field)
    return at === undefined || rowCells === undefined ? undefined : rowCells[at]
  }
  const text = (field: Field): string | undefined => {
    const value = get(field)
    if (value === undefined || value === null) return undefined
    const s = typeof value === "string" ? value.trim() : String(value)
    return s === unset || s === empty || s === "" ? undefined : s
  }
  /** a count cell: undefined when unset, a string when malformed */
  const count = (field: Field): number | undefined | string => {
    const value = get(field)
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : `${field} ${value} is not a count`
    const s = text(field)
    if (s === undefined) return undefined
    const n = Number(s)
    return Number.isInteger(n) && n >= 0 && !s.includes(".") ? n : `${field} "${s}" is not a count`
  }

  /** Write the current record; a string is the reason it is malformed. */
  const record = (): string | undefined => {
    const rawTs = get("ts")
    let ts: number
    if (typeof rawTs === "number") ts = Math.round(rawTs * 1e6)
    else {
      const s = text("ts")
      if (s === undefined) return "ts is missing"
      ts = /^-?\d+(\.\d+)?$/.test(s) ? decimalSecondsToMicros(s) : isoLikeToMicros(s, options.timezoneOffsetMin)
      if (Number.isNaN(ts)) return `ts "${s}" is not a time`
    }
    ts += options.tsOffsetUs
    if (ts < RELATIVE_BEFORE_US) {
      relativeRows++
      firstRelative ??= ts
    }

    const orig = text("id.orig_h") ?? ""
    const resp = text("id.resp_h") ?? ""
    const version = ipVersionOf(orig)
    if (version === 0) return `id.orig_h "${orig}" is not an IP address`
    if (ipVersionOf(resp) !== version) return `id.resp_h "${resp}" is not an IPv${version} address`

    const protoText = text("proto")
    let protocol = protoText === undefined ? undefined : protocolNumber(protoText)
    if (protocol === 1 && version === 6) protocol = 58 // Zeek says "icmp" for ICMPv6 too
    let srcPort: number | undefined
    let dstPort: number | undefined
    if (hasPorts(protocol)) {
      const op = text("id.orig_p")
      const rp = text("id.resp_p")
      srcPort = op === undefined ? undefined : portNumber(op)
      dstPort = rp === undefined ? undefined : portNumber(rp)
      if (Number.isNaN(srcPort)) return `id.orig_p "${op}" is not a port`
      if (Number.isNaN(dstPort)) return `id.resp_p "${rp}" is not a port`
    }

    let duration: number | undefined
    const rawDuration = get("duration")
    if (typeof rawDuration === "number") duration = Math.round(rawDuration * 1e6) / 1e6 // JSON floats to Zeek's µs
    else {
      const s = text("duration")
      if (s !== undefined) {
        duration = Number(s)
        if (!Number.isFinite(duration)) return `duration "${s}" is not a number`
      }
    }
    if (duration !== undefined && duration < 0) return `duration ${duration} is negative`

    const origPkts = count("orig_pkts")
    if (typeof origPkts === "string") return origPkts
    const respPkts = count("resp_pkts")
    if (typeof respPkts === "string") return respPkts
    const origIp = count("orig_ip_bytes")
    if (typeof origIp === "string") return origIp
    const respIp = count("resp_ip_bytes")
    if (typeof respIp === "string") return respIp
    const origBytes = count("orig_bytes")
    if (typeof origBytes === "string") return origBytes
    const respBytes = count("resp_bytes")
    if (typeof respBytes === "string") return respBytes
    const vlan = count("vlan")
    if (typeof vlan === "string") return vlan

    const label = text("label")
    const detail = text("detailed-label") ?? text("detailed_label")

    sink.begin()
    sink.str("src_ip", orig)
    sink.str("dst_ip", resp)
    sink.num("src_port", srcPort)
    sink.num("dst_port", dstPort)
    sink.num("protocol", protocol)
    sink.num("ip_version", version)
    sink.num("vlan_id", vlan)
    sink.num("first_seen_us", ts)
    sink.num("last_seen_us", duration === undefined ? undefined : ts + Math.round(duration * 1e6))
    sink.num("duration_s", duration)
    sink.num("fwd_packets", origPkts)
    sink.num("bwd_packets", respPkts)
    sink.num("fwd_bytes", origIp)
    sink.num("bwd_bytes", respIp)
    sink.num("fwd_payload_bytes", origBytes)
    sink.num("bwd_payload_bytes", respBytes)
    const state = text("conn_state")
    sink.str("end_reason", protocol === 6 && state !== undefined ? endReasonOf(state) : null)
    sink.str("app_proto", text("service") ?? null)
    sink.str("label_raw", label === undefined ? (detail ?? null) : detail === undefined ? label : `${label} / ${detail}`)
    sink.commit()
    return undefined
  }

  const tsvRow = (line: TextLine): void => {
    const header = names
    if (header === undefined) {
      sink.malformed(line.line, line.offset, "data row before any #fields header")
      return
    }
    let cells = line.text.split(separator)
    if (cells.length === spans.length && cells.length !== header.length) {
      // cells that hold several whitespace-separated values, matching a multi-name header cell
      const expanded: Array<string> = []
      for (let i = 0; i < cells.length; i++) {
        const span = spans[i]!
        if (span === 1) expanded.push(cells[i]!)
        else expanded.push(...cells[i]!.trim().split(/\s+/))
      }
      cells = expanded
    }
    // a trailing separator (or several) leaves empty cells past the last field: stray whitespace, not data
    if (cells.length > header.length && cells.slice(header.length).every((cell) => cell.trim() === "")) cells = cells.slice(0, header.length)
    if (cells.length !== header.length) {
      sink.malformed(line.line, line.offset, `expected ${header.length} fields, found ${cells.length}`)
      return
    }
    rowCells = cells
    rowObject = undefined
    const problem = record()
    if (problem !== undefined) sink.malformed(line.line, line.offset, problem)
  }

  const jsonRow = (line: TextLine): void => {
    let parsed: unknown
    try {
      parsed = JSON.parse(line.text)
    } catch (error) {
      sink.malformed(line.line, line.offset, `not a JSON object (${error instanceof Error ? error.message : String(error)})`)
      return
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      sink.malformed(line.line, line.offset, "not a JSON object")
      return
    }
    rowObject = parsed as Record<string, unknown>
    rowCells = undefined
    const problem = record()
    if (problem !== undefined) sink.malformed(line.line, line.offset, problem)
  }

  return {
    line: (line) => {
      const trimmed = line.text.trim()
      if (trimmed === "") return undefined
      if (mode === "start") {
        const text = trimmed.replace(/^\uFEFF/, "")
        if (text.startsWith("#")) mode = "tsv"
        else if (text.startsWith("{")) {
          try {
            const first: unknown = JSON.parse(text)
            const keys = typeof first === "object" && first !== null ? Object.keys(first) : []
            const missing = REQUIRED.filter((field) => !keys.includes(field))
            if (missing.length > 0) return wrongFormat(line, `the first JSON record lacks ${missing.join(", ")}`)
            if (!CONN_ONLY.some((field) => keys.includes(field))) {
              return wrongFormat(line, `the first JSON record has none of ${CONN_ONLY.join(", ")} (another Zeek log?)`)
            }
          } catch {
            return wrongFormat(line, "the first line is neither a # directive nor a JSON object")
          }
          mode = "json"
        } else return wrongFormat(line, "the first line is neither a # directive nor a JSON object")
      }
      if (mode === "json") {
        jsonRow(line)
        return undefined
      }
      if (line.text.startsWith("#")) return directive({ ...line, text: line.text.replace(/^\uFEFF/, "").trimEnd() })
      tsvRow(line)
      return undefined
    },
    end: () => {
      if (mode === "start") return new InputError({ path: options.path, reason: "not a Zeek conn log: the file is empty" })
      if (mode === "tsv" && names === undefined) return new InputError({ path: options.path, reason: "not a Zeek conn log: no #fields header" })
      if (relativeRows > 0) {
        sink.finding(
          "relative_timestamps",
          "info",
          `${relativeRows} record${relativeRows === 1 ? "" : "s"} with ts before 1980 (first ${(firstRelative ?? 0) / 1e6} s): times look relative to the capture start; set ts_offset_s to the capture's start (epoch seconds) for absolute times`,
          { count: relativeRows }
        )
      }
      return undefined
    }
  }
}
