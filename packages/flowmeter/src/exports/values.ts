/**
 * Cell values of text flow exports: numbers, exact decimal seconds to microseconds, calendar
 * date-times, IANA protocol numbers from names, ports (decimal or hex) and the IP version of
 * an address.
 *
 * Holds: small pure functions used in the per-row loop (no allocation beyond what the
 * JavaScript number parsing itself does).
 * Does not hold: any format's column layout (each flow-export source plugin maps its own
 * columns), nor the row batching (`flow-sink.ts`).
 */

/** A cell that holds no value: empty, `-`, `(empty)`, or an IEEE special CIC writes (`Infinity`, `NaN`). */
const NULL_CELLS: ReadonlySet<string> = new Set(["", "-", "(empty)", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "NaN", "nan", "null", "None"])

export const isNullCell = (cell: string): boolean => NULL_CELLS.has(cell)

/**
 * A numeric cell: `undefined` for a null cell (see `isNullCell`), `NaN` for text that is not a
 * number, else the value. Hex (`0x1f`) is accepted.
 */
export const cellNumber = (cell: string): number | undefined => {
  if (NULL_CELLS.has(cell)) return undefined
  const value = Number(cell)
  return Number.isFinite(value) ? value : Number.NaN
}

const DIGIT0 = 48

/**
 * Decimal seconds (`1268758214.788023`, `-0.5`, `12`) to integer microseconds, exactly (no
 * float rounding of the fraction); digits past the sixth are rounded half up. NaN when the
 * text is not a plain decimal number.
 */
export const decimalSecondsToMicros = (text: string): number => {
  let i = 0
  const n = text.length
  let negative = false
  if (n === 0) return Number.NaN
  if (text.charCodeAt(0) === 45 /* - */ || text.charCodeAt(0) === 43 /* + */) {
    negative = text.charCodeAt(0) === 45
    i++
  }
  let whole = 0
  let digits = 0
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - DIGIT0
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
    digits++
  }
  let frac = 0
  let fracDigits = 0
  let roundUp = false
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - DIGIT0
      if (d < 0 || d > 9) break
      if (fracDigits < 6) frac = frac * 10 + d
      else if (fracDigits === 6) roundUp = d >= 5
      fracDigits++
      digits++
    }
    for (let pad = fracDigits; pad < 6; pad++) frac *= 10
  }
  if (digits === 0) return Number.NaN
  if (i < n) {
    // scientific notation or junk: fall back to float parsing, which is exact enough there
    const value = Number(text)
    return Number.isFinite(value) ? Math.round(value * 1e6) : Number.NaN
  }
  const micros = whole * 1_000_000 + frac + (roundUp ? 1 : 0)
  return negative ? -micros : micros
}

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]`, `YYYY/MM/DD …` or ISO 8601 with `T` and an optional `Z` /
 * `±HH:MM` zone, to µs since the epoch. Times without a zone are taken as UTC shifted by
 * `offsetMin` (local time = UTC + offsetMin). NaN when the text is not such a date-time.
 */
export const isoLikeToMicros = (text: string, offsetMin: number): number => {
  const m = ISO_LIKE.exec(text)
  if (m === null) return Number.NaN
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? "0"))
  if (!Number.isFinite(base)) return Number.NaN
  let zoneMin = offsetMin
  if (zone !== undefined) {
    if (zone === "Z" || zone === "z") zoneMin = 0
    else {
      const sign = zone.startsWith("-") ? -1 : 1
      const body = zone.slice(1).replace(":", "")
      zoneMin = sign * (Number(body.slice(0, 2)) * 60 + Number(body.slice(2) || "0"))
    }
  }
  return base * 1000 + fractionMicros(frac) - zoneMin * 60_000_000
}

const ISO_LIKE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}:?\d{2})?$/

/** The digits after a decimal point as microseconds (`"5"` → 500000, `"0882031"` → 88203). */
export const fractionMicros = (digits: string | undefined): number => {
  if (digits === undefined || digits.length === 0) return 0
  const six = (digits + "000000").slice(0, 6)
  return Number(six) + (digits.length > 6 && digits.charCodeAt(6) - DIGIT0 >= 5 ? 1 : 0)
}

/** IANA protocol numbers by the names flow tools print (lower case). */
const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = new Map([
  ["hopopt", 0],
  ["icmp", 1],
  ["igmp", 2],
  ["ggp", 3],
  ["ipencap", 4],
  ["ipv4", 4],
  ["ip-in-ip", 4],
  ["st", 5],
  ["tcp", 6],
  ["egp", 8],
  ["igp", 9],
  ["pup", 12],
  ["udp", 17],
  ["hmp", 20],
  ["xns-idp", 22],
  ["rdp", 27],
  ["iso-tp4", 29],
  ["dccp", 33],
  ["xtp", 36],
  ["ddp", 37],
  ["idpr-cmtp", 38],
  ["ipv6", 41],
  ["ipv6-route", 43],
  ["ipv6-frag", 44],
  ["idrp", 45],
  ["rsvp", 46],
  ["gre", 47],
  ["esp", 50],
  ["ipsec-esp", 50],
  ["ah", 51],
  ["ipsec-ah", 51],
  ["skip", 57],
  ["ipv6-icmp", 58],
  ["icmp6", 58],
  ["icmpv6", 58],
  ["ipv6icmp", 58],
  ["ipv6-nonxt", 59],
  ["ipv6-opts", 60],
  ["rspf", 73],
  ["vmtp", 81],
  ["eigrp", 88],
  ["ospf", 89],
  ["ospfigp", 89],
  ["ax.25", 93],
  ["ipip", 94],
  ["etherip", 97],
  ["encap", 98],
  ["pim", 103],
  ["ipcomp", 108],
  ["vrrp", 112],
  ["l2tp", 115],
  ["isis", 124],
  ["sctp", 132],
  ["fc", 133],
  ["mobility-header", 135],
  ["udplite", 136],
  ["mpls-in-ip", 137],
  ["manet", 138],
  ["hip", 139],
  ["shim6", 140],
  ["wesp", 141],
  ["rohc", 142],
  ["ethernet", 143]
])

/**
 * The IANA number of a protocol given by name (any case) or as a decimal number 0..255;
 * undefined when unknown (for example `arp`, `man`, `llc`, which are not IP protocols).
 */
export const protocolNumber = (text: string): number | undefined => {
  const known = PROTOCOL_NUMBERS.get(text.toLowerCase())
  if (known !== undefined) return known
  if (/^\d{1,3}$/.test(text)) {
    const value = Number(text)
    return value <= 255 ? value : undefined
  }
  return undefined
}

/** Protocols whose flows carry ports (TCP, UDP, DCCP, SCTP, UDP-Lite). */
export const hasPorts = (protocol: number | undefined): boolean =>
  protocol === 6 || protocol === 17 || protocol === 33 || protocol === 132 || protocol === 136

/**
 * A port cell: decimal or hex (`0x0303`); `undefined` for a null cell, NaN for anything else or
 * a value above 65535.
 */
export const portNumber = (cell: string): number | undefined => {
  if (NULL_CELLS.has(cell)) return undefined
  const value = cell.startsWith("0x") || cell.startsWith("0X") ? Number.parseInt(cell.slice(2), 16) : /^\d+$/.test(cell) ? Number(cell) : Number.NaN
  return Number.isInteger(value) && value >= 0 && value <= 65_535 ? value : Number.NaN
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/
const IPV6 = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/
const MAC = /^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}$/

/** 4 or 6 for an IP address, 0 for anything else (a MAC address, a name, empty). */
export const ipVersionOf = (address: string): 0 | 4 | 6 => {
  if (IPV4.test(address)) return 4
  if (address.includes(":") && IPV6.test(address) && !MAC.test(address)) return 6
  return 0
}
