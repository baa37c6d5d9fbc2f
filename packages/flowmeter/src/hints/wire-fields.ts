/**
 * Field readers for the capture parsers, the packet decoder and the application-hint parsers.
 *
 * Holds: `u8`, `u16`, `u24`, `u32` (big-endian) and `u16le`, `u32le` over a Uint8Array (a byte
 * past the array reads as 0, never as `undefined`; unlike Buffer's readers no argument checks
 * and no boxed result per call), the GREASE test of RFC 8701, and the printable-hostname decoder
 * shared by the TLS SNI, HTTP Host and DNS QNAME parsers.
 * Does not hold: any bounds policy. Callers check every length field against their own
 * `[start, end)` window before reading; these readers only keep a stray read from being NaN.
 */

export const u8 = (b: Uint8Array, i: number): number => b[i] ?? 0

export const u16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)

export const u24 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)

export const u32 = (b: Uint8Array, i: number): number =>
  (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0

/** Little-endian 16 bits (capture headers written by a little-endian host). */
export const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8)

/** Little-endian 32 bits, unsigned. */
export const u32le = (b: Uint8Array, i: number): number =>
  ((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24)) >>> 0

/** RFC 8701 GREASE values: 0x0a0a, 0x1a1a, … 0xfafa (both bytes equal, low nibble 0xa). */
export const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff)

/** The longest host name any hint keeps (RFC 1035 text form). */
export const MAX_HOSTNAME_CHARS = 255

/**
 * Decodes `b[start..end)` as a host name: 1–255 bytes, each printable ASCII without space
 * (0x21–0x7e), folded to lower case. Anything else is null: hints carry no binary noise.
 */
export const decodeHostname = (b: Uint8Array, start: number, end: number): string | null => {
  const len = end - start
  if (len <= 0 || len > MAX_HOSTNAME_CHARS || start < 0 || end > b.length) return null
  let out = ""
  for (let i = start; i < end; i++) {
    let c = b[i] ?? 0
    if (c < 0x21 || c > 0x7e) return null
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    out += String.fromCharCode(c)
  }
  return out
}
