/**
 * DNS first-question name extraction for the application hints.
 *
 * Holds: `parseDnsQname` (a DNS message in a UDP datagram) and `parseDnsQnameTcp` (the same
 * behind the 2-byte length prefix DNS uses over TCP). The name is the first question's QNAME
 * in text form, lower-cased, at most 255 characters; "." for the root.
 * Does not hold: answers or any other section. Compression pointers are followed only
 * backwards (so they cannot loop) and at most 16 times; labels with bytes outside printable
 * ASCII (or a '.') make the name null rather than ambiguous.
 */
import { MAX_HOSTNAME_CHARS, u16, u8 } from "./wire-fields.js"

const HEADER = 12
const MAX_POINTER_JUMPS = 16

/**
 * Parses the first question name of the DNS message `b[start..end)`. Needs a 12-byte header
 * with QDCOUNT ≥ 1, a standard-ish opcode (0–6), a well-formed name and the 4 bytes of
 * QTYPE/QCLASS after it; anything else is null.
 */
export const parseDnsQname = (b: Uint8Array, start: number, end: number): string | null => {
  if (start < 0 || end > b.length || end - start < HEADER + 5) return null
  const flags = u16(b, start + 2)
  const opcode = (flags >> 11) & 0x0f
  if (opcode > 6) return null
  const qdcount = u16(b, start + 4)
  if (qdcount === 0 || qdcount > 64) return null
  let at = start + HEADER
  let afterName = -1
  let jumps = 0
  let lowestTarget = end
  let name = ""
  for (;;) {
    if (at >= end) return null
    const len = u8(b, at)
    if (len === 0) {
      if (afterName < 0) afterName = at + 1
      break
    }
    const kind = len & 0xc0
    if (kind === 0xc0) {
      if (at + 2 > end) return null
      const target = start + (u16(b, at) & 0x3fff)
      if (afterName < 0) afterName = at + 2
      // only backwards, after the header, and each jump lands before the previous one: no loops
      if (target >= at || target >= lowestTarget || target < start + HEADER || ++jumps > MAX_POINTER_JUMPS) return null
      lowestTarget = target
      at = target
      continue
    }
    if (kind !== 0) return null
    if (at + 1 + len > end) return null
    if (name.length + (name.length > 0 ? 1 : 0) + len > MAX_HOSTNAME_CHARS) return null
    if (name.length > 0) name += "."
    for (let i = at + 1; i <= at + len; i++) {
      let c = u8(b, i)
      if (c < 0x21 || c > 0x7e || c === 0x2e) return null
      if (c >= 0x41 && c <= 0x5a) c += 0x20
      name += String.fromCharCode(c)
    }
    at += 1 + len
  }
  if (afterName + 4 > end) return null
  return name === "" ? "." : name
}

/** Parses the first question name of DNS over TCP: a 2-byte length, then the message. */
export const parseDnsQnameTcp = (b: Uint8Array, start: number, end: number): string | null => {
  if (start < 0 || end > b.length || end - start < 2) return null
  const length = u16(b, start)
  if (length < HEADER + 5) return null
  return parseDnsQname(b, start + 2, Math.min(end, start + 2 + length))
}
