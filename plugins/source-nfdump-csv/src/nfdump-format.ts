/**
 * nfdump CSV (`nfdump -o csv`, 1.6/1.7 layout `ts,te,td,sa,da,sp,dp,pr,flg,…,ipkt,ibyt,opkt,obyt,…`):
 * header recognition, the per-row mapping into one-way records, and the trailing
 * `Summary` block, whose totals are checked against what was read.
 *
 * Holds: `detectNfdump` (confidence from the header) and `nfdumpParser`, a LineParser that hands
 * one-way records to a BiflowPairer (or writes them as they are when pairing is off, and
 * writes bidirectional records, those with out-counters, directly).
 * Does not hold: the pairing itself (`biflow-pairing.ts`) or batching (`FlowSink` from @hashhound/flowmeter).
 */
import { InputError, FLOW_RECORD_COLUMNS } from "@hashhound/core"
import {
  cellNumber,
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
import { BiflowPairer, type OneWayRecord, type PairingOptions } from "./biflow-pairing.js"

export const NFDUMP_COLUMNS: ReadonlyArray<string> = [...FLOW_RECORD_COLUMNS, "end_reason", "biflow_pairing"]

const FIELDS = ["ts", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "ipkt", "ibyt", "opkt", "obyt", "svln"] as const
type Field = (typeof FIELDS)[number]
const REQUIRED: ReadonlyArray<Field> = ["ts", "sa", "da", "pr", "ipkt", "ibyt"]

const headerFields = (line: string): Array<string> => line.replace(/^\uFEFF/, "").split(",").map((name) => name.trim())

const missingOf = (names: ReadonlyArray<string>): ReadonlyArray<Field> => {
  const missing = REQUIRED.filter((field) => !names.includes(field))
  if (!names.includes("td") && !names.includes("te")) missing.push("td")
  return missing
}

/** How sure we are (0..1) that a file starting with `head` is `nfdump -o csv` output. */
export const detectNfdump = (head: Uint8Array): number => {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("utf8")
  const first = text.split(/\r?\n/, 1)[0] ?? ""
  const names = headerFields(first)
  if (missingOf(names).length > 0) return 0
  return first.startsWith("ts,te,td,sa,da,sp,dp,pr") ? 0.98 : 0.9
}

export interface NfdumpOptions {
  readonly path: string
  readonly timezoneOffsetMin: number
  /** undefined: pairing off, every one-way record is a flow of its own */
  readonly pairing: PairingOptions | undefined
}

type State = "header" | "rows" | "summary-header" | "summary-values" | "after"

export const nfdumpParser = (sink: FlowSink, options: NfdumpOptions): LineParser => {
  let state: State = "header"
  let width = 0
  const col: Partial<Record<Field, number>> = {}
  const pairer = options.pairing === undefined ? undefined : new BiflowPairer(sink, options.pairing)
  let records = 0
  let packetsRead = 0
  let bytesRead = 0
  let summaryNames: Array<string> = []
  let summaryLine: TextLine | undefined

  const header = (line: TextLine): InputError | undefined => {
    const names = headerFields(line.text)
    const missing = missingOf(names)
    if (missing.length > 0) {
      return new InputError({
        path: options.path,
        reason: `not an nfdump CSV: the header line (line ${line.line}) lacks ${missing.join(", ")}; expected the \`nfdump -o csv\` header ts,te,td,sa,da,sp,dp,pr,flg,…,ipkt,ibyt,opkt,obyt,…`
      })
    }
    width = names.length
    for (const field of FIELDS) {
      const index = names.indexOf(field)
      if (index >= 0) col[field] = index
    }
    state = "rows"
    return undefined
  }

  const row = (cells: ReadonlyArray<string>): string | undefined => {
    const cell = (field: Field): string => {
      const index = col[field]
      return index === undefined ? "" : (cells[index] ?? "").trim()
    }
    const count = (field: Field): number | string => {
      const text = cell(field)
      if (text === "" && (field === "opkt" || field === "obyt")) return 0
      const value = cellNumber(text)
      if (value === undefined || Number.isNaN(value) || value < 0) return `${field} "${text}" is not a count`
      return value
    }
    const protocol = protocolNumber(cell("pr"))
    if (protocol === undefined) return `pr "${cell("pr")}" is not an IP protocol`
    const sa = cell("sa")
    const da = cell("da")
    const version = ipVersionOf(sa)
    if (version === 0) return `sa "${sa}" is not an IP address`
    if (ipVersionOf(da) !== version) return `da "${da}" is not an IPv${version} address`
    let sp: number | undefined
    let dp: number | undefined
    if (hasPorts(protocol)) {
      sp = portNumber(cell("sp"))
      dp = portNumber(cell("dp"))
      if (Number.isNaN(sp)) return `sp "${cell("sp")}" is not a port`
      if (Number.isNaN(dp)) return `dp "${cell("dp")}" is not a port`
    }
    const start = isoLikeToMicros(cell("ts"), options.timezoneOffsetMin)
    if (Number.isNaN(start)) return `ts "${cell("ts")}" is not a date-time`
    let end: number
    if (col.td !== undefined) {
      const td = decimalSecondsToMicros(cell("td"))
      if (Number.isNaN(td) || td < 0) return `td "${cell("td")}" is not a duration`
      end = start + td
    } else {
      end = isoLikeToMicros(cell("te"), options.timezoneOffsetMin)
      if (Number.isNaN(end) || end < start) return `te "${cell("te")}" is not a date-time after ts`
    }
    const ipkt = count("ipkt")
    if (typeof ipkt === "string") return ipkt
    const ibyt = count("ibyt")
    if (typeof ibyt === "string") return ibyt
    const opkt = count("opkt")
    if (typeof opkt === "string") return opkt
    const obyt = count("obyt")
    if (typeof obyt === "string") return obyt
    let vlan: number | undefined
    if (col.svln !== undefined) {
      const v = cellNumber(cell("svln"))
      if (v !== undefined && (Number.isNaN(v) || v < 0 || v > 4095)) return `svln "${cell("svln")}" is not a VLAN id`
      vlan = v === 0 ? undefined : v
    }
    const record: OneWayRecord = {
      src: sa,
      dst: da,
      srcPort: sp,
      dstPort: dp,
      protocol,
      ipVersion: version,
      vlan,
      startUs: start,
      endUs: end,
      packets: ipkt,
      bytes: ibyt,
      flags: protocol === 6 ? cell("flg") : "",
      seq: records
    }
    records++
    packetsRead += ipkt + opkt
    bytesRead += ibyt + obyt
    if (opkt > 0 || obyt > 0 || pairer === undefined) {
      writeAsIs(record, opkt > 0 || obyt > 0 ? { packets: opkt, bytes: obyt } : undefined)
    } else pairer.add(record)
    return undefined
  }

  /** A record written without pairing: bidirectional (out-counters given) or pairing off. */
  const writeAsIs = (record: OneWayRecord, out: { packets: number; bytes: number } | undefined): void => {
    sink.begin()
    sink.str("src_ip", record.src)
    sink.str("dst_ip", record.dst)
    sink.num("src_port", record.srcPort)
    sink.num("dst_port", record.dstPort)
    sink.num("protocol", record.protocol)
    sink.num("ip_version", record.ipVersion)
    sink.num("vlan_id", record.vlan)
    sink.num("first_seen_us", record.startUs)
    sink.num("last_seen_us", record.endUs)
    sink.num("duration_s", (record.endUs - record.startUs) / 1e6)
    sink.num("fwd_packets", record.packets)
    sink.num("fwd_bytes", record.bytes)
    sink.num("bwd_packets", out?.packets)
    sink.num("bwd_bytes", out?.bytes)
    const flags = record.flags
    sink.str("end_reason", record.protocol !== 6 ? null : flags.includes("R") ? "rst" : flags.includes("F") ? "fin" : null)
    sink.str("biflow_pairing", null)
    sink.commit()
  }

  const checkSummary = (line: TextLine): void => {
    const values = line.text.split(",").map((value) => Number(value.trim()))
    const get = (name: string): number | undefined => {
      const index = summaryNames.indexOf(name)
      const value = index < 0 ? undefined : values[index]
      return value === undefined || Number.isNaN(value) ? undefined : value
    }
    const flows = get("flows")
    const bytes = get("bytes")
    const packets = get("packets")
    const problems: Array<string> = []
    if (flows !== undefined && flows !== records) problems.push(`flows ${flows} but ${records} records read`)
    if (bytes !== undefined && bytes !== bytesRead) problems.push(`bytes ${bytes} but ${bytesRead} read`)
    if (packets !== undefined && packets !== packetsRead) problems.push(`packets ${packets} but ${packetsRead} read`)
    if (problems.length > 0) {
      const malformed = sink.malformedRows > 0 ? ` (${sink.malformedRows} malformed row${sink.malformedRows === 1 ? "" : "s"} not read)` : ""
      sink.finding("summary_mismatch", "warn", `Summary block (line ${line.line}) disagrees: ${problems.join("; ")}${malformed}`, { offset: line.offset })
    } else {
      sink.finding("summary_checked", "info", `Summary block (line ${line.line}) agrees: ${records} flows, ${bytesRead} bytes, ${packetsRead} packets`, {
        offset: line.offset,
        count: records
      })
    }
  }

  return {
    line: (line) => {
      const text = line.text
      switch (state) {
        case "header":
          return text.trim() === "" ? undefined : header(line)
        case "rows": {
          if (text.trim() === "") return undefined
          if (text.trim() === "Summary") {
            state = "summary-header"
            return undefined
          }
          const cells = text.split(",")
          if (cells.length !== width) {
            sink.malformed(line.line, line.offset, `expected ${width} cells, found ${cells.length}`)
            return undefined
          }
          const problem = row(cells)
          if (problem !== undefined) sink.malformed(line.line, line.offset, problem)
          return undefined
        }
        case "summary-header":
          summaryNames = text.split(",").map((name) => name.trim())
          state = "summary-values"
          return undefined
        case "summary-values":
          summaryLine = line
          state = "after"
          return undefined
        case "after":
          return undefined
      }
    },
    end: () => {
      if (state === "header") return new InputError({ path: options.path, reason: "not an nfdump CSV: the file is empty (no header line)" })
      pairer?.finish()
      if (pairer !== undefined && pairer.forced > 0) {
        sink.finding(
          "pairing_forced",
          "warn",
          `${pairer.forced} connection${pairer.forced === 1 ? "" : "s"} decided early because more than max_pending_records one-way records were waiting; some pairs may show as unpaired`,
          { count: pairer.forced }
        )
      }
      if (summaryLine !== undefined) checkSummary(summaryLine)
      else if (state !== "rows") sink.finding("summary_mismatch", "warn", "Summary block is incomplete (no totals line)")
      return undefined
    }
  }
}
