/**
 * IP addresses and prefixes for indicator lookups: IPv4 as a 32-bit number, IPv6 as a 128-bit
 * bigint, IPv4-mapped IPv6 (`::ffff:192.0.2.1`) folded to IPv4.
 *
 * Holds: `parseIp`, `parseCidr`, `maskV4` / `maskV6` and `formatIp` (canonical text for details).
 * Does not hold: indicator lists or matching (`ioc-index.ts`).
 */

export type ParsedIp = { readonly v: 4; readonly n: number } | { readonly v: 6; readonly n: bigint }

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const parseV4 = (text: string): number | undefined => {
  const m = V4.exec(text)
  if (m === null) return undefined
  let n = 0
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!
    if (part.length > 1 && part.startsWith("0")) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    n = n * 256 + octet
  }
  return n
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/

const parseV6 = (input: string): bigint | undefined => {
  const zone = input.indexOf("%")
  let text = zone < 0 ? input : input.slice(0, zone)
  const groups: Array<number> = []
  // an embedded IPv4 tail (::ffff:1.2.3.4) is two groups
  const lastColon = text.lastIndexOf(":")
  if (lastColon >= 0 && text.indexOf(".", lastColon) > 0) {
    const v4 = parseV4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const parse = (part: string): Array<number> | undefined => {
    if (part === "") return []
    const out: Array<number> = []
    for (const group of part.split(":")) {
      if (!HEX_GROUP.test(group)) return undefined
      out.push(parseInt(group, 16))
    }
    return out
  }
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  if (head === undefined || tail === undefined) return undefined
  if (halves.length === 1 && head.length !== 8) return undefined
  if (halves.length === 2 && head.length + tail.length > 7) return undefined
  groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail)
  let n = 0n
  for (const group of groups) n = (n << 16n) | BigInt(group)
  return n
}

/** An address, or undefined when the text is not one. Brackets (`[2001:db8::1]`) are accepted. */
export const parseIp = (raw: string): ParsedIp | undefined => {
  let text = raw.trim()
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1)
  if (text.includes(":")) {
    const n = parseV6(text)
    if (n === undefined) return undefined
    if (n >> 32n === 0xffffn) return { v: 4, n: Number(n & 0xffffffffn) }
    return { v: 6, n }
  }
  const n = parseV4(text)
  return n === undefined ? undefined : { v: 4, n }
}

export interface Cidr {
  readonly ip: ParsedIp
  readonly prefix: number
}

/** `192.0.2.0/24`, `2001:db8::/32` or a single address (a /32 or /128); host bits are cleared. */
export const parseCidr = (text: string): Cidr | undefined => {
  const slash = text.indexOf("/")
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (ip === undefined) return undefined
  const max = ip.v === 4 ? 32 : 128
  if (slash < 0) return { ip, prefix: max }
  const prefixText = text.slice(slash + 1).trim()
  if (!/^\d{1,3}$/.test(prefixText)) return undefined
  let prefix = Number(prefixText)
  // an IPv4-mapped IPv6 prefix (::ffff:10.0.0.0/104) becomes an IPv4 one
  if (ip.v === 4 && text.includes(":")) prefix -= 96
  if (prefix < 0 || prefix > max) return undefined
  return ip.v === 4 ? { ip: { v: 4, n: maskV4(ip.n, prefix) }, prefix } : { ip: { v: 6, n: maskV6(ip.n, prefix) }, prefix }
}

export const maskV4 = (n: number, prefix: number): number =>
  prefix === 0 ? 0 : prefix >= 32 ? n : (n - (n % 2 ** (32 - prefix)))

const ALL128 = (1n << 128n) - 1n

export const maskV6 = (n: bigint, prefix: number): bigint =>
  prefix >= 128 ? n : prefix <= 0 ? 0n : n & (ALL128 ^ ((1n << BigInt(128 - prefix)) - 1n))

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export const formatIp = (ip: ParsedIp): string => {
  if (ip.v === 4) return [ip.n >>> 24, (ip.n >>> 16) & 255, (ip.n >>> 8) & 255, ip.n & 255].join(".")
  const groups: Array<number> = []
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.n >> BigInt(i * 16)) & 0xffffn))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(":")
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`
}

/** `192.0.2.0/24`, or the bare address for a full-length prefix. */
export const formatCidr = (cidr: Cidr): string => {
  const max = cidr.ip.v === 4 ? 32 : 128
  return cidr.prefix === max ? formatIp(cidr.ip) : `${formatIp(cidr.ip)}/${cidr.prefix}`
}
