/**
 * Indicator lookups and the per-batch match.
 *
 * Holds: `IocIndex` (addresses and prefixes by prefix length, longest first; domains by name;
 * ports) and `iocAnswer`. The rule, per flow:
 * - addresses: `dst_ip` then `src_ip` are looked up (longest prefix first); an indicator pinned to
 *   a port (an endpoint) matches only with that side's port;
 * - domains: `tls_sni`, `http_host` (port and brackets removed) and `dns_qname` are looked up as
 *   they are and then label by label towards the root, so `pool.example.com` matches
 *   `eu1.pool.example.com` but not `badpool.example.com`; a domain pinned to a port matches only
 *   with that `dst_port`;
 * - ports: `dst_port` only (a source port is ephemeral), and the protocol when the indicator
 *   names one;
 * - an indicator with a validity window matches only a flow whose [first_seen, last_seen]
 *   overlaps it widened by `skewUs` on both sides (the run-wide label skew; bounds inclusive,
 *   last_seen missing = first_seen); a flow without first_seen does not;
 * - strength: endpoint (address or domain + port) 3, address/prefix/domain 2, port 1. The
 *   strongest match decides (ties: dst before src, then sni, http_host, dns_qname, then list
 *   order); the others are named in the detail. When equally strong matches carry different
 *   labels (a benign allowlist entry and a mining prefix) the answer is `unknown` and the detail
 *   says so: give an allowlist its own, earlier `labeler.ioc` entry to let it win through the
 *   merge. A flow whose only matches are ports gets `port_matches_label` (null: no opinion, and
 *   the detail still names them, for the merge's notes).
 * Does not hold: reading lists (`load-lists.ts`) or parsing them (`indicators.ts`).
 */
import { readNumeric, readStrings, type FlowBatch, type Label, type LabelAnswer } from "@hashhound/core"
import { maskV4, maskV6, parseIp, type ParsedIp } from "./addresses.js"
import type { Indicator } from "./indicators.js"

const NONE: ReadonlyArray<Indicator> = []

export class IocIndex {
  private readonly v4 = new Map<number, Map<number, Array<Indicator>>>()
  private readonly v6 = new Map<number, Map<bigint, Array<Indicator>>>()
  private v4Prefixes: ReadonlyArray<number> = []
  private v6Prefixes: ReadonlyArray<number> = []
  private readonly domains = new Map<string, Array<Indicator>>()
  private readonly ports = new Map<number, Array<Indicator>>()
  private count = 0

  constructor(indicators: ReadonlyArray<Indicator>) {
    for (const indicator of indicators) this.add(indicator)
    this.v4Prefixes = [...this.v4.keys()].sort((a, b) => b - a)
    this.v6Prefixes = [...this.v6.keys()].sort((a, b) => b - a)
  }

  get size(): number {
    return this.count
  }

  get hasIps(): boolean {
    return this.v4.size > 0 || this.v6.size > 0
  }

  get hasDomains(): boolean {
    return this.domains.size > 0
  }

  get hasPorts(): boolean {
    return this.ports.size > 0
  }

  private add(indicator: Indicator): void {
    this.count++
    const push = <K>(map: Map<K, Array<Indicator>>, key: K): void => {
      const list = map.get(key)
      if (list === undefined) map.set(key, [indicator])
      else list.push(indicator)
    }
    if (indicator.kind === "domain" && indicator.domain !== undefined) push(this.domains, indicator.domain)
    else if (indicator.kind === "port" && indicator.port !== undefined) push(this.ports, indicator.port)
    else if (indicator.kind === "ip" && indicator.cidr !== undefined) {
      const { ip, prefix } = indicator.cidr
      if (ip.v === 4) {
        let table = this.v4.get(prefix)
        if (table === undefined) this.v4.set(prefix, (table = new Map()))
        push(table, ip.n)
      } else {
        let table = this.v6.get(prefix)
        if (table === undefined) this.v6.set(prefix, (table = new Map()))
        push(table, ip.n)
      }
    }
  }

  /** Indicators covering an address, longest prefix first. */
  lookupIp(ip: ParsedIp, visit: (indicator: Indicator) => void): void {
    if (ip.v === 4) {
      for (const prefix of this.v4Prefixes) for (const indicator of this.v4.get(prefix)?.get(maskV4(ip.n, prefix)) ?? NONE) visit(indicator)
    } else {
      for (const prefix of this.v6Prefixes) for (const indicator of this.v6.get(prefix)?.get(maskV6(ip.n, prefix)) ?? NONE) visit(indicator)
    }
  }

  /** Indicators for a host name or any parent domain, the most specific first. */
  lookupDomain(host: string, visit: (indicator: Indicator) => void): void {
    if (this.domains.size === 0) return
    let name = host
    for (;;) {
      for (const indicator of this.domains.get(name) ?? NONE) visit(indicator)
      const dot = name.indexOf(".")
      if (dot < 0) return
      name = name.slice(dot + 1)
    }
  }

  lookupPort(port: number, visit: (indicator: Indicator) => void): void {
    for (const indicator of this.ports.get(port) ?? NONE) visit(indicator)
  }
}

interface Match {
  readonly indicator: Indicator
  readonly strength: number
  readonly field: string
}

/** Host of an HTTP Host header or SNI, lower case, without port, brackets or trailing dot. */
const hostOf = (value: string, stripPort: boolean): string => {
  let host = value.trim().toLowerCase()
  if (stripPort) {
    if (host.startsWith("[")) host = host.slice(1, Math.max(1, host.indexOf("]")))
    else {
      const colon = host.lastIndexOf(":")
      if (colon >= 0 && host.indexOf(":") === colon) host = host.slice(0, colon)
    }
  }
  return host.endsWith(".") ? host.slice(0, -1) : host
}

const MAX_NAMED = 4

const describe = (match: Match): string =>
  `${match.indicator.text} (${match.field}) in ${match.indicator.where}${match.indicator.note === undefined ? "" : `: ${match.indicator.note}`}`

export interface IocSettings {
  readonly portMatchesLabel: Label | null
  /** how far validity windows are widened on both sides, µs (the run-wide label skew); 0 when absent */
  readonly skewUs?: number
}

/** The IOC labeler's answer for one batch. */
export const iocAnswer = (batch: FlowBatch, index: IocIndex, settings: IocSettings): LabelAnswer => {
  const rows = batch.numRows
  const label = new Array<Label | null>(rows).fill(null)
  const detail = new Array<string | null>(rows).fill(null)
  if (rows === 0 || index.size === 0) return { label, detail }
  // only the columns some indicator can use are read
  const src = index.hasIps ? readStrings(batch, "src_ip") : undefined
  const dst = index.hasIps ? readStrings(batch, "dst_ip") : undefined
  const srcPort = index.hasIps ? readNumeric(batch, "src_port") : undefined
  const dstPort = readNumeric(batch, "dst_port")
  const protocol = index.hasPorts ? readNumeric(batch, "protocol") : undefined
  const firstSeen = readNumeric(batch, "first_seen_us")
  const lastSeen = readNumeric(batch, "last_seen_us")
  const hosts: ReadonlyArray<readonly [string, Array<string | null> | undefined, boolean]> = index.hasDomains
    ? [
        ["tls_sni", readStrings(batch, "tls_sni"), false],
        ["http_host", readStrings(batch, "http_host"), true],
        ["dns_qname", readStrings(batch, "dns_qname"), false]
      ]
    : []
  const ips = new Map<string, ParsedIp | null>()
  const ipOf = (text: string | null | undefined): ParsedIp | null => {
    if (text === null || text === undefined) return null
    let parsed = ips.get(text)
    if (parsed === undefined) {
      parsed = parseIp(text) ?? null
      ips.set(text, parsed)
    }
    return parsed
  }
  const matches: Array<Match> = []
  // Row state read by the visitors below (made once per batch, not per row).
  let first = Number.NaN
  let last = Number.NaN
  let port = Number.NaN
  let dport = Number.NaN
  let proto = Number.NaN
  let field = ""
  const skew = settings.skewUs ?? 0
  const valid = (indicator: Indicator): boolean =>
    (indicator.fromUs === Number.NEGATIVE_INFINITY && indicator.toUs === Number.POSITIVE_INFINITY) ||
    (!Number.isNaN(first) && first <= indicator.toUs + skew && last >= indicator.fromUs - skew)
  const onIp = (indicator: Indicator): void => {
    if (indicator.port !== undefined && indicator.port !== port) return
    if (valid(indicator)) matches.push({ indicator, strength: indicator.port === undefined ? 2 : 3, field })
  }
  const onDomain = (indicator: Indicator): void => {
    if (indicator.port !== undefined && indicator.port !== dport) return
    if (valid(indicator)) matches.push({ indicator, strength: indicator.port === undefined ? 2 : 3, field })
  }
  const onPort = (indicator: Indicator): void => {
    if (indicator.protocol !== undefined && !Number.isNaN(proto) && indicator.protocol !== proto) return
    if (valid(indicator)) matches.push({ indicator, strength: 1, field: "dst_port" })
  }
  for (let row = 0; row < rows; row++) {
    matches.length = 0
    first = firstSeen?.[row] ?? Number.NaN
    const lastRaw = lastSeen?.[row] ?? Number.NaN
    last = Number.isNaN(lastRaw) ? first : lastRaw
    dport = dstPort?.[row] ?? Number.NaN
    proto = protocol?.[row] ?? Number.NaN
    const dstIp = ipOf(dst?.[row])
    if (dstIp !== null) {
      port = dport
      field = "dst_ip"
      index.lookupIp(dstIp, onIp)
    }
    const srcIp = ipOf(src?.[row])
    if (srcIp !== null) {
      port = srcPort?.[row] ?? Number.NaN
      field = "src_ip"
      index.lookupIp(srcIp, onIp)
    }
    for (const [name, values, stripPort] of hosts) {
      const value = values?.[row]
      if (value === null || value === undefined || value === "") continue
      field = name
      index.lookupDomain(hostOf(value, stripPort), onDomain)
    }
    if (!Number.isNaN(dport)) index.lookupPort(dport, onPort)
    if (matches.length === 0) continue
    let best = 0
    for (let i = 1; i < matches.length; i++) if (matches[i]!.strength > matches[best]!.strength) best = i
    const winner = matches[best]!
    const strong = winner.strength >= 2
    let disagree = false
    for (const match of matches) if (match.strength === winner.strength && match.indicator.label !== winner.indicator.label) disagree = true
    label[row] = !strong ? settings.portMatchesLabel : disagree ? "unknown" : winner.indicator.label
    const others = matches.filter((_, i) => i !== best)
    const named = others.slice(0, MAX_NAMED - 1).map(describe)
    if (others.length > MAX_NAMED - 1) named.push(`${others.length - (MAX_NAMED - 1)} more`)
    const head = !strong
      ? `ioc (weak, port only) ${describe(winner)}`
      : disagree
        ? `ioc indicators disagree (${winner.indicator.label} vs ${matches.find((m) => m.strength === winner.strength && m.indicator.label !== winner.indicator.label)?.indicator.label ?? "?"}): ${describe(winner)}`
        : `ioc ${describe(winner)}`
    detail[row] = named.length === 0 ? head : `${head}; also ${named.join("; ")}`
  }
  return { label, detail }
}
