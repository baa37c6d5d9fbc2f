/**
 * Indicator lists: reading one file into indicators.
 *
 * Holds: the `Indicator` record (an address or prefix, a domain, or a port; optionally pinned to
 * a port; a label; a validity window; where it came from), `parseIndicator` (one value, type
 * given or inferred), `detectFormat` and `parseList` (a file's lines → indicators, or the first
 * problem with its line). Formats:
 * - `lines`: one indicator per line, type inferred: `192.0.2.7`, `198.51.100.0/24`,
 *   `2001:db8::/32`, `192.0.2.7:3333`, `[2001:db8::7]:3333`, `pool.example.com`,
 *   `*.pool.example.com`, `pool.example.com:4444`, `stratum+tcp://pool.example.com:4444`,
 *   `3333`, `3333/tcp`;
 * - `typed_csv`: a header with `type` and `value` and optionally `label`, `valid_from`,
 *   `valid_to`, `detail` (other columns are ignored); type is `ip` (also `cidr`, `ipv4`, `ipv6`),
 *   `endpoint`, `domain` (also `hostname`, `fqdn`), `port` or empty (inferred);
 * - `endpoints`: `address,port` rows, with or without a header (the NESFIT pool lists).
 * `auto` picks one from the first line that is not blank or a comment. `#` starts a comment
 * (whole line, or after whitespace); a UTF-8 BOM is ignored.
 * Does not hold: lookups (`ioc-index.ts`) or file reading (`load-lists.ts`).
 */
import type { Label } from "@hashhound/core"
import { formatCidr, parseCidr, parseIp, type Cidr } from "./addresses.js"
import { splitCsvLine } from "@hashhound/core"
import { parseInstantUs } from "@hashhound/core"

export type IndicatorKind = "ip" | "domain" | "port"

export interface Indicator {
  readonly kind: IndicatorKind
  /** for `ip` */
  readonly cidr?: Cidr
  /** for `domain`: lower case, no trailing dot, no leading `*.` */
  readonly domain?: string
  /** the port an `ip` or `domain` indicator is pinned to (an endpoint), or a `port` indicator's port */
  readonly port?: number
  /** for `port`: 6 or 17 when written `3333/tcp`, `3333/udp` */
  readonly protocol?: number
  readonly label: Label
  readonly fromUs: number
  readonly toUs: number
  /** how details name it: `endpoint 192.0.2.7:3333`, `domain pool.example.com`, `port 3333/tcp` */
  readonly text: string
  /** `<list>:<line>` */
  readonly where: string
  /** the list's own note for it (typed CSV `detail` column) */
  readonly note?: string
}

export type ListFormat = "auto" | "lines" | "typed_csv" | "endpoints"

export interface ListLine {
  readonly text: string
  readonly line: number
}

type Parsed = Omit<Indicator, "label" | "fromUs" | "toUs" | "where" | "note">

const DOMAIN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{1,63}$/
const PORT = /^(\d{1,5})(?:\/(tcp|udp))?$/

const portOf = (text: string): number | undefined => {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port <= 65_535 ? port : undefined
}

const domainOf = (text: string): string | undefined => {
  let name = text.trim().toLowerCase()
  if (name.startsWith("*.")) name = name.slice(2)
  else if (name.startsWith(".")) name = name.slice(1)
  if (name.endsWith(".")) name = name.slice(0, -1)
  return DOMAIN.test(name) && !/^[\d.]+$/.test(name) ? name : undefined
}

const ipIndicator = (cidr: Cidr, port?: number): Parsed =>
  port === undefined
    ? { kind: "ip", cidr, text: `${cidr.prefix === (cidr.ip.v === 4 ? 32 : 128) ? "ip" : "prefix"} ${formatCidr(cidr)}` }
    : { kind: "ip", cidr, port, text: `endpoint ${cidr.ip.v === 6 ? `[${formatCidr(cidr)}]` : formatCidr(cidr)}:${port}` }

const domainIndicator = (domain: string, port?: number): Parsed =>
  port === undefined ? { kind: "domain", domain, text: `domain ${domain}` } : { kind: "domain", domain, port, text: `endpoint ${domain}:${port}` }

/** Split `host:port` / `[v6]:port` (a bare IPv6 address has no port). */
const splitHostPort = (text: string): { host: string; port?: number } | undefined => {
  if (text.startsWith("[")) {
    const end = text.indexOf("]")
    if (end < 0) return undefined
    const rest = text.slice(end + 1)
    if (rest === "") return { host: text.slice(1, end) }
    if (!rest.startsWith(":")) return undefined
    const port = portOf(rest.slice(1))
    return port === undefined ? undefined : { host: text.slice(1, end), port }
  }
  const colon = text.lastIndexOf(":")
  if (colon < 0 || text.indexOf(":") !== colon) return { host: text }
  const port = portOf(text.slice(colon + 1))
  return port === undefined ? undefined : { host: text.slice(0, colon), port }
}

type Kind = "ip" | "endpoint" | "domain" | "port" | undefined

const KIND_NAMES: Readonly<Record<string, Kind>> = {
  "": undefined,
  ip: "ip",
  cidr: "ip",
  ipv4: "ip",
  ipv6: "ip",
  "ip-dst": "ip",
  endpoint: "endpoint",
  domain: "domain",
  hostname: "domain",
  fqdn: "domain",
  port: "port"
}

/** One indicator value; `type` (when given) restricts what it may be. A string is the problem. */
export const parseIndicator = (raw: string, type?: string): Parsed | string => {
  const kind = KIND_NAMES[(type ?? "").trim().toLowerCase()]
  if (type !== undefined && type.trim() !== "" && kind === undefined) return `unknown indicator type ${JSON.stringify(type)} (ip, endpoint, domain, port)`
  let value = raw.trim()
  if (value === "") return "empty indicator"
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)
  if (scheme !== null) value = value.slice(scheme[0].length).replace(/\/.*$/, "")
  const port = PORT.exec(value)
  if (port !== null && (kind === undefined || kind === "port")) {
    const n = Number(port[1])
    if (n > 65_535) return `port ${n} is over 65535`
    const protocol = port[2] === "tcp" ? 6 : port[2] === "udp" ? 17 : undefined
    return { kind: "port", port: n, ...(protocol === undefined ? {} : { protocol }), text: `port ${value}` }
  }
  if (kind === "port") return `${JSON.stringify(raw)} is not a port`
  if (kind !== "domain" && value.includes("/")) {
    const cidr = parseCidr(value)
    return cidr === undefined ? `${JSON.stringify(raw)} is not an address prefix` : ipIndicator(cidr)
  }
  const split = splitHostPort(value)
  if (split === undefined) return `${JSON.stringify(raw)} has a bad port`
  if (kind === "endpoint" && split.port === undefined) return `${JSON.stringify(raw)} is not host:port`
  const ip = parseIp(split.host)
  if (ip !== undefined) {
    if (kind === "domain") return `${JSON.stringify(raw)} is an address, not a domain`
    return ipIndicator({ ip, prefix: ip.v === 4 ? 32 : 128 }, split.port)
  }
  if (kind === "ip") return `${JSON.stringify(raw)} is not an address or prefix`
  const domain = domainOf(split.host)
  return domain === undefined ? `${JSON.stringify(raw)} is not an address, prefix, domain or port` : domainIndicator(domain, split.port)
}

const stripComment = (text: string): string => {
  const clean = text.replace(/^\uFEFF/, "")
  if (clean.trimStart().startsWith("#")) return ""
  const hash = clean.search(/\s#/)
  return (hash < 0 ? clean : clean.slice(0, hash)).trim()
}

const ENDPOINT_HOST = new Set(["address", "addr", "ip", "host", "dst_ip", "daddr"])

/** The format of a list from its first meaningful line. */
export const detectFormat = (lines: ReadonlyArray<ListLine>): Exclude<ListFormat, "auto"> => {
  for (const { text } of lines) {
    const clean = stripComment(text)
    if (clean === "") continue
    const cells = (splitCsvLine(clean) ?? []).map((cell) => cell.toLowerCase())
    if (cells.includes("type") && cells.includes("value")) return "typed_csv"
    if (cells.length === 2 && ENDPOINT_HOST.has(cells[0]!) && cells[1] === "port") return "endpoints"
    if (cells.length === 2 && parseIp(cells[0]!) !== undefined && portOf(cells[1]!) !== undefined) return "endpoints"
    return "lines"
  }
  return "lines"
}

export interface ListOptions {
  /** how details name the list (the path as configured) */
  readonly name: string
  readonly format: ListFormat
  readonly label: Label
}

const LABELS: ReadonlySet<string> = new Set(["mining", "benign", "unknown"])
const OPEN = { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }

/** Every indicator of a list, or the first problem as `line N: reason`. */
export const parseList = (lines: ReadonlyArray<ListLine>, options: ListOptions): ReadonlyArray<Indicator> | string => {
  const format = options.format === "auto" ? detectFormat(lines) : options.format
  const out: Array<Indicator> = []
  let header: ReadonlyArray<string> | undefined
  for (const { text, line } of lines) {
    const clean = stripComment(text)
    if (clean === "") continue
    const where = `${options.name}:${line}`
    if (format === "lines") {
      const parsed = parseIndicator(clean)
      if (typeof parsed === "string") return `line ${line}: ${parsed}`
      out.push({ ...parsed, label: options.label, ...OPEN, where })
      continue
    }
    const cells = splitCsvLine(clean)
    if (cells === undefined) return `line ${line}: a quote is not closed`
    if (format === "endpoints") {
      if (header === undefined && out.length === 0 && parseIp(cells[0] ?? "") === undefined) {
        header = cells
        continue
      }
      if (cells.length !== 2) return `line ${line}: ${cells.length} cells, expected address,port`
      const ip = parseIp(cells[0]!)
      const port = portOf(cells[1]!)
      if (ip === undefined) return `line ${line}: ${JSON.stringify(cells[0])} is not an address`
      if (port === undefined) return `line ${line}: ${JSON.stringify(cells[1])} is not a port`
      out.push({ ...ipIndicator({ ip, prefix: ip.v === 4 ? 32 : 128 }, port), label: options.label, ...OPEN, where })
      continue
    }
    if (header === undefined) {
      header = cells.map((cell) => cell.toLowerCase())
      if (!header.includes("value")) return `line ${line}: the header has no value column`
      continue
    }
    const columns = header
    const cell = (name: string): string | undefined => {
      const at = columns.indexOf(name)
      const value = at < 0 ? undefined : cells[at]
      return value === undefined || value === "" ? undefined : value
    }
    const parsed = parseIndicator(cell("value") ?? "", cell("type"))
    if (typeof parsed === "string") return `line ${line}: ${parsed}`
    const label = cell("label")?.toLowerCase() ?? options.label
    if (!LABELS.has(label)) return `line ${line}: label ${JSON.stringify(label)} is not mining, benign or unknown`
    const fromText = cell("valid_from")
    const toText = cell("valid_to")
    const fromUs = fromText === undefined ? Number.NEGATIVE_INFINITY : parseInstantUs(fromText)
    const toUs = toText === undefined ? Number.POSITIVE_INFINITY : parseInstantUs(toText)
    if (fromUs === undefined) return `line ${line}: valid_from ${JSON.stringify(fromText)} is not an ISO 8601 time with a zone or epoch seconds`
    if (toUs === undefined) return `line ${line}: valid_to ${JSON.stringify(toText)} is not an ISO 8601 time with a zone or epoch seconds`
    if (fromUs > toUs) return `line ${line}: valid_from is after valid_to`
    const note = cell("detail")
    out.push({ ...parsed, label: label as Label, fromUs, toUs, where, ...(note === undefined ? {} : { note }) })
  }
  return out
}
