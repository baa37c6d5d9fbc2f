/**
 * Capture container detection by magic number (never by file name).
 *
 * Holds: `sniffContainer` (gzip, zstd, classic pcap in its four magic/byte-order forms and
 * Kuznetsov's modified pcap (24-byte record headers, as libpcap reads it), pcapng, or unknown
 * with a short description of what the bytes look like), `describeUnread` (that description for
 * a file no source reads, for the message that refuses it) and the classic pcap file header decoder.
 * Does not hold: record parsing (see `pcap-parser.ts` and `pcapng-parser.ts`).
 */

export type Container =
  | { readonly _tag: "gzip" }
  | { readonly _tag: "zstd" }
  | { readonly _tag: "pcap"; readonly littleEndian: boolean; readonly nano: boolean; readonly modified: boolean }
  | { readonly _tag: "pcapng" }
  | { readonly _tag: "empty" }
  | { readonly _tag: "unknown"; readonly looksLike: string }

const PCAP_US = 0xa1b2c3d4
const PCAP_NS = 0xa1b23c4d
/** Alexey Kuznetsov's patched tcpdump: µs times, record headers of 24 bytes (ifindex, protocol, packet type) */
const PCAP_MODIFIED = 0xa1b2cd34
export const PCAPNG_SHB = 0x0a0d0d0a

const u32le = (head: Uint8Array, at: number): number =>
  ((head[at]! | (head[at + 1]! << 8) | (head[at + 2]! << 16)) >>> 0) + head[at + 3]! * 0x1000000

/** What a file head (raw, possibly compressed) is. */
export const sniffContainer = (head: Uint8Array): Container => {
  if (head.length === 0) return { _tag: "empty" }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { _tag: "gzip" }
  if (head.length < 4) return { _tag: "unknown", looksLike: `only ${head.length} byte(s)` }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return { _tag: "zstd" }
  const le = u32le(head, 0)
  const be = ((head[0]! << 24) >>> 0) + ((head[1]! << 16) | (head[2]! << 8) | head[3]!)
  for (const [magic, littleEndian] of [
    [le, true],
    [be, false]
  ] as const) {
    if (magic === PCAP_US || magic === PCAP_NS || magic === PCAP_MODIFIED) {
      return { _tag: "pcap", littleEndian, nano: magic === PCAP_NS, modified: magic === PCAP_MODIFIED }
    }
  }
  if (le === PCAPNG_SHB) return { _tag: "pcapng" }
  return { _tag: "unknown", looksLike: describeHead(head) }
}

const describeHead = (head: Uint8Array): string => {
  const ascii = Buffer.from(head.subarray(0, 8)).toString("latin1")
  if (ascii.startsWith("snoop")) return "a Solaris snoop capture (not supported; convert it with `editcap -F pcap`)"
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bzip2-compressed data (decompress it first)"
  if (head[0] === 0xfd && ascii.startsWith("\u00fd7zXZ")) return "xz-compressed data (decompress it first)"
  if (head[0] === 0x50 && head[1] === 0x4b) return "a zip archive (extract it first)"
  let printable = 0
  const n = Math.min(head.length, 512)
  for (let i = 0; i < n; i++) {
    const c = head[i]!
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127)) printable++
  }
  if (printable === n) return "text"
  const hex = Buffer.from(head.subarray(0, 4)).toString("hex")
  return `binary data starting with 0x${hex}`
}

/** Why a zstd-compressed capture is refused, and what to do. */
export const ZSTD_REFUSAL = "zstd-compressed data: not supported (decompress it first, e.g. `zstd -d`); gzip is read directly"

/**
 * What a file that no source reads looks like, from its first bytes (`raw`) and the same unpacked
 * when they are gzip (`content`): an empty file, zstd, a snoop capture, bzip2, xz, zip, text or
 * the first bytes in hex; behind "gzip-compressed" when it is gzip.
 */
export const describeUnread = (raw: Uint8Array, content: Uint8Array): string => {
  const outer = sniffContainer(raw)
  if (outer._tag === "empty") return "an empty file"
  if (outer._tag === "zstd") return ZSTD_REFUSAL
  if (outer._tag !== "gzip") return describeContainer(outer)
  const inner = sniffContainer(content)
  return inner._tag === "empty" ? "an empty gzip stream" : `gzip-compressed ${describeContainer(inner)}`
}

const describeContainer = (container: Container): string => {
  switch (container._tag) {
    case "unknown":
      return container.looksLike
    case "empty":
      return "nothing"
    case "gzip":
      return "gzip data (decompress the outer layer first)"
    case "zstd":
      return ZSTD_REFUSAL
    case "pcap":
      return "a pcap file header with nothing after it that a source reads"
    case "pcapng":
      return "a pcapng section header with nothing after it that a source reads"
  }
}

export interface PcapHeader {
  readonly littleEndian: boolean
  readonly nano: boolean
  /** record headers of 24 bytes (Kuznetsov's modified pcap) instead of 16 */
  readonly modified: boolean
  readonly snaplen: number
  readonly linkType: number
}

/** The classic pcap global header (24 bytes); undefined when `head` is shorter. */
export const pcapHeader = (head: Uint8Array, littleEndian: boolean, nano: boolean, modified = false): PcapHeader | undefined => {
  if (head.length < 24) return undefined
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  return {
    littleEndian,
    nano,
    modified,
    snaplen: view.getUint32(16, littleEndian),
    // upper bits carry FCS information; the link type is the low 16 bits
    linkType: view.getUint32(20, littleEndian) & 0xffff
  }
}
