/**
 * Argus `ra` CSV (CTU-13 "binetflow" and any `ra -c <sep> -s …` field list): header
 * recognition, separator detection and the per-row mapping onto canonical flow columns.
 *
 * Holds: the column aliases ra prints as titles, `detectArgus` (confidence from the header),
 * and `argusParser`, a LineParser that maps each record and skips non-IP ones.
 * Does not hold: file reading or batching (`readLines` and `FlowSink` from @hashhound/flowmeter).
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

export const ARGUS_COLUMNS: ReadonlyArray<string> = [...FLOW_RECORD_COLUMNS, "fwd_payload_bytes", "bwd_payload_bytes", "end_reason", "label_raw"]

type Field =
  | "start"
  | "last"
  | "dur"
  | "proto"
  | "saddr"
  | "sport"
  | "dir"
  | "daddr"
  | "dport"
  | "state"
  | "pkts"
  | "bytes"
  | "spkts"
  | "dpkts"
  | "sbytes"
  | "dbytes"
  | "sapp"
  | "dapp"
  | "vlan"
  | "label"

/** ra column titles (lower case) and the `-s` field names, by what they hold. */
const ALIASES: ReadonlyMap<string, Field> = new Map([
  ["starttime", "start"],
  ["stime", "start"],
  ["lasttime", "last"],
  ["ltime", "last"],
  ["dur", "dur"],
  ["proto", "proto"],
  ["srcaddr", "saddr"],
  ["saddr", "saddr"],
  ["sport", "sport"],
  ["dir", "dir"],
  ["dstaddr", "daddr"],
  ["daddr", "daddr"],
  ["dport", "dport"],
  ["state", "state"],
  ["totpkts", "pkts"],
  ["pkts", "pkts"],
  ["totbytes", "bytes"],
  ["bytes", "bytes"],
  ["srcpkts", "spkts"],
  ["spkts", "spkts"],
  ["dstpkts", "dpkts"],
  ["dpkts", "dpkts"],
  ["srcbytes", "sbytes"],
  ["sbytes", "sbytes"],
  ["dstbytes", "dbytes"],
  ["dbytes", "dbytes"],
  ["sappbytes", "sapp"],
  ["srcappbytes", "sapp"],
  ["dappbytes", "dapp"],
  ["dstappbytes", "dapp"],
  ["svid", "vlan"],
  ["svlan", "vlan"],
  ["label", "label"]
])

const SEPARATORS = [",", "\t", ";", "|"] as const

/** The separator of an ra header line: the candidate that splits it into most known titles. */
const headerLayout = (line: string): { sep: string; fields: Array<Field | undefined> } | undefined => {
  let best: { sep: string; fields: Array<Field | undefined>; known: number } | undefined
  for (const sep of SEPARATORS) {
    const fields = line.split(sep).map((name) => ALIASES.get(name.trim().toLowerCase()))
    const known = fields.filter((field) => field !== undefined).length
    if (known >= 2 && (best === undefined || known > best.known)) best = { sep, fields, known }
  }
  return best
}

const missingRequired = (fields: ReadonlyArray<Field | undefined>): ReadonlyArray<string> => {
  const has = (field: Field) => fields.includes(field)
  const missing: Array<string> = []
  if (!has("start")) missing.push("StartTime")
  if (!has("proto")) missing.push("Proto")
  if (!has("saddr")) missing.push("SrcAddr")
  if (!has("daddr")) missing.push("DstAddr")
  if (!has("pkts") && !has("spkts")) missing.push("TotPkts or SrcPkts")
  return missing
}

const firstLine = (head: Uint8Array): string => {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("utf8")
  const lines = text.split(/\r?\n/)
  return (lines.find((line) => line.trim() !== "") ?? "").replace(/^\uFEFF/, "")
}

/** How sure we are (0..1) that a file starting with `head` is an ra CSV. */
export const detectArgus = (head: Uint8Array): number => {
  const layout = headerLayout(firstLine(head))
  if (layout === undefined) return 0
  const missing = missingRequired(layout.fields)
  if (missing.length > 0) return layout.fields.includes("saddr") && layout.fields.includes("daddr") ? 0.3 : 0.05
  return layout.fields.includes("dir") || layout.fields.includes("state") ? 0.95 : 0.85
}

/** Canonical end reason from an argus TCP state (`FIN`, `RST`, `TIM`, or the `-Z b` flag form `FSPA_FSRPA`). */
const endReasonOf = (state: string): string | null => {
  const split = state.indexOf("_")
  if (split >= 0) {
    const src = state.slice(0, split)
    const dst = state.slice(split + 1)
    if (src.includes("R") || dst.includes("R")) return "rst"
    if (src.includes("F") && dst.includes("F")) return "fin"
    return null
  }
  switch (state) {
    case "FIN":
    case "CLO":
      return "fin"
    case "RST":
      return "rst"
    case "TIM":
      return "idle"
    default:
      return null
  }
}

const KNOWN_DIRS: ReadonlySet<string> = new Set(["->", "<-", "<->", "<?>", "?>", "<?", "<>", "?"])
const ARROW_AT_END = /(<->|<\?>|->|<-|\?>|<\?)$/

/** Absolute time of an ra time cell: `%Y/%m/%d %T.%f`, ISO-like, or epoch seconds (`ra -u`). */
const timeMicros = (cell: string, offsetMin: number): number =>
  /^\d+(\.\d+)?$/.test(cell) ? decimalSecondsToMicros(cell) : isoLikeToMicros(cell, offsetMin)

export interface ArgusOptions {
  readonly path: string
  readonly linkHeaderBytes: number
  readonly timezoneOffsetMin: number
}

export const argusParser = (sink: FlowSink, options: ArgusOptions): LineParser => {
  let sep = ","
  let fields: Array<Field | undefined> | undefined
  const col: Partial<Record<Field, number>> = {}
  const L = options.linkHeaderBytes

  const header = (line: TextLine): InputError | undefined => {
    const layout = headerLayout(line.text.replace(/^\uFEFF/, ""))
    const missing = layout === undefined ? ["StartTime", "Proto", "SrcAddr", "DstAddr"] : missingRequired(layout.fields)
    if (layout === undefined || missing.length > 0) {
      return new InputError({
        path: options.path,
        reason: `not an argus ra CSV: the header line (line ${line.line}) lacks ${missing.join(", ")}; expected ra column titles such as StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,TotPkts,TotBytes,SrcBytes`
      })
    }
    sep = layout.sep
    fields = layout.fields
    layout.fields.forEach((field, index) => {
      if (field !== undefined && col[field] === undefined) col[field] = index
    })
    return undefined
  }

  // the row being read
  let cells: ReadonlyArray<string> = []
  const cell = (field: Field): string => {
    const index = col[field]
    return index === undefined ? "" : (cells[index] ?? "").trim()
  }
  /** a count cell: undefined when empty, a string when malformed */
  const count = (field: Field): number | undefined | string => {
    const value = cellNumber(cell(field))
    if (value === undefined) return undefined
    if (Number.isNaN(value) || value < 0) return `${field} "${cell(field)}" is not a count`
    return value
  }
  const n = (value: number | undefined | string): number | undefined => (typeof value === "number" ? value : undefined)
  const minus = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : a - b

  /** Map the current row; a string is the reason it is malformed. */
  const row = (): string | undefined => {
    const protoText = cell("proto")
    const protocol = protocolNumber(protoText)
    if (protocol === undefined) {
      // a record argus wrote (man, arp, llc, …) has its StartTime; a row without one is damage
      if (Number.isNaN(timeMicros(cell("start"), options.timezoneOffsetMin)))
        return `Proto "${protoText}" is not an IP protocol and StartTime "${cell("start")}" is not a date-time`
      sink.tally("non_ip_record", protoText === "" ? "(empty)" : protoText.toLowerCase(), "info", (kind, n) =>
        `${n} non-IP record${n === 1 ? "" : "s"} of kind "${kind}" skipped (no IP flow to map)`
      )
      return undefined
    }
    const saddr = cell("saddr")
    const daddr = cell("daddr")
    const version = ipVersionOf(saddr)
    if (version === 0) return `SrcAddr "${saddr}" is not an IP address`
    if (ipVersionOf(daddr) !== version) return `DstAddr "${daddr}" is not an IPv${version} address`

    let sport: number | undefined
    let dport: number | undefined
    if (hasPorts(protocol)) {
      sport = portNumber(cell("sport"))
      dport = portNumber(cell("dport"))
      if (Number.isNaN(sport)) return `Sport "${cell("sport")}" is not a port`
      if (Number.isNaN(dport)) return `Dport "${cell("dport")}" is not a port`
    }

    const startText = cell("start")
    const start = timeMicros(startText, options.timezoneOffsetMin)
    if (Number.isNaN(start)) {
      return /^\d{1,2}:\d{2}/.test(startText)
        ? `StartTime "${startText}" has no date (export with RA_TIME_FORMAT="%Y/%m/%d %T.%f" or ra -u)`
        : `StartTime "${startText}" is not a date-time`
    }
    let last: number | undefined
    if (col.last !== undefined && cell("last") !== "") {
      last = timeMicros(cell("last"), options.timezoneOffsetMin)
      if (Number.isNaN(last)) return `LastTime "${cell("last")}" is not a date-time`
    }
    const durText = cell("dur")
    let dur: number | undefined
    if (durText !== "") {
      dur = cellNumber(durText)
      if (dur === undefined || Number.isNaN(dur) || dur < 0) return `Dur "${durText}" is not a duration`
    }

    const pkts = count("pkts")
    const spkts = count("spkts")
    const dpkts = count("dpkts")
    const bytes = count("bytes")
    const sbytes = count("sbytes")
    const dbytes = count("dbytes")
    const sapp = count("sapp")
    const dapp = count("dapp")
    for (const value of [pkts, spkts, dpkts, bytes, sbytes, dbytes, sapp, dapp]) if (typeof value === "string") return value
    const fwdPackets = n(spkts) ?? minus(n(pkts), n(dpkts))
    const bwdPackets = n(dpkts) ?? minus(n(pkts), n(spkts))
    let fwdBytes = n(sbytes) ?? minus(n(bytes), n(dbytes))
    let bwdBytes = n(dbytes) ?? minus(n(bytes), n(sbytes))
    if ((fwdPackets ?? 0) < 0 || (bwdPackets ?? 0) < 0) return "SrcPkts/DstPkts exceed TotPkts"
    if ((fwdBytes ?? 0) < 0 || (bwdBytes ?? 0) < 0) return "SrcBytes/DstBytes exceed TotBytes"
    if (L > 0) {
      if (fwdBytes !== undefined) fwdBytes = fwdPackets === undefined ? undefined : Math.max(0, fwdBytes - L * fwdPackets)
      if (bwdBytes !== undefined) bwdBytes = bwdPackets === undefined ? undefined : Math.max(0, bwdBytes - L * bwdPackets)
    }

    let vlan: number | undefined
    if (col.vlan !== undefined) {
      const v = portNumber(cell("vlan"))
      if (Number.isNaN(v)) return `sVid "${cell("vlan")}" is not a VLAN id`
      vlan = v === undefined ? undefined : v & 0x0fff
    }

    const dir = cell("dir")
    if (col.dir !== undefined) {
      if (dir.includes("?")) sink.tally("direction_uncertain", dir, "info", (d, k) =>
        `${k} record${k === 1 ? "" : "s"} with Dir "${d}": argus could not tell who initiated; SrcAddr is kept as src`)
      if (!KNOWN_DIRS.has(dir)) {
        sink.tally("unexpected_dir", dir, "info", (d, k) =>
          ARROW_AT_END.test(d)
            ? `${k} record${k === 1 ? "" : "s"} with extra text in Dir "${d}"; the trailing arrow was used`
            : `${k} record${k === 1 ? "" : "s"} with an unknown Dir "${d}"`)
      }
    }

    sink.begin()
    sink.str("src_ip", saddr)
    sink.str("dst_ip", daddr)
    sink.num("src_port", sport)
    sink.num("dst_port", dport)
    sink.num("protocol", protocol)
    sink.num("ip_version", version)
    sink.num("vlan_id", vlan === 0 ? undefined : vlan)
    const lastSeen = last ?? (dur === undefined ? undefined : start + Math.round(dur * 1e6))
    sink.num("first_seen_us", start)
    sink.num("last_seen_us", lastSeen)
    sink.num("duration_s", dur ?? (lastSeen === undefined ? undefined : (lastSeen - start) / 1e6))
    sink.num("fwd_packets", fwdPackets)
    sink.num("bwd_packets", bwdPackets)
    sink.num("fwd_bytes", fwdBytes)
    sink.num("bwd_bytes", bwdBytes)
    sink.num("fwd_payload_bytes", n(sapp))
    sink.num("bwd_payload_bytes", n(dapp))
    sink.str("end_reason", protocol === 6 && col.state !== undefined ? endReasonOf(cell("state")) : null)
    const label = cell("label")
    sink.str("label_raw", label === "" ? null : label)
    sink.commit()
    return undefined
  }

  return {
    line: (line) => {
      if (fields === undefined) {
        if (line.text.trim() === "") return undefined
        return header(line)
      }
      if (line.text.trim() === "") return undefined
      cells = line.text.split(sep)
      if (cells.length !== fields.length) {
        sink.malformed(line.line, line.offset, `expected ${fields.length} cells, found ${cells.length}`)
        return undefined
      }
      const problem = row()
      if (problem !== undefined) sink.malformed(line.line, line.offset, problem)
      return undefined
    },
    end: () =>
      fields === undefined
        ? new InputError({ path: options.path, reason: "not an argus ra CSV: the file is empty (no header line)" })
        : undefined
  }
}
