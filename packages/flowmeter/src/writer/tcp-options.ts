/**
 * TCP option encoders: the SYN option layouts of common stacks, the timestamp option on
 * established segments, and SACK blocks on duplicate ACKs.
 *
 * Holds: byte-exact layouts as Linux, Windows and macOS put them on the wire (so a generated
 * SYN looks like the stack it claims to be), each written into a caller's buffer with its
 * length (a multiple of 4) returned.
 * Does not hold: decoding options (see `decode/`) or deciding which values to send.
 */

/** Which stack's SYN option order to copy. `bare` is MSS only (embedded devices). */
export type SynOptionStyle = "linux" | "windows" | "macos" | "bare"

const KIND_EOL = 0
const KIND_NOP = 1
const KIND_MSS = 2
const KIND_WSCALE = 3
const KIND_SACK_PERMITTED = 4
const KIND_SACK = 5
const KIND_TIMESTAMP = 8

const writeU32 = (dst: Uint8Array, at: number, value: number): void => {
  dst[at] = (value >>> 24) & 0xff
  dst[at + 1] = (value >>> 16) & 0xff
  dst[at + 2] = (value >>> 8) & 0xff
  dst[at + 3] = value & 0xff
}

const mss = (dst: Uint8Array, at: number, value: number): number => {
  dst[at] = KIND_MSS
  dst[at + 1] = 4
  dst[at + 2] = (value >>> 8) & 0xff
  dst[at + 3] = value & 0xff
  return 4
}

const wscale = (dst: Uint8Array, at: number, shift: number): number => {
  dst[at] = KIND_WSCALE
  dst[at + 1] = 3
  dst[at + 2] = shift & 0xff
  return 3
}

const sackPermitted = (dst: Uint8Array, at: number): number => {
  dst[at] = KIND_SACK_PERMITTED
  dst[at + 1] = 2
  return 2
}

const timestamp = (dst: Uint8Array, at: number, tsVal: number, tsEcr: number): number => {
  dst[at] = KIND_TIMESTAMP
  dst[at + 1] = 10
  writeU32(dst, at + 2, tsVal >>> 0)
  writeU32(dst, at + 6, tsEcr >>> 0)
  return 10
}

const nop = (dst: Uint8Array, at: number): number => {
  dst[at] = KIND_NOP
  return 1
}

/**
 * SYN / SYN-ACK options in the order the named stack uses. `timestamps` false drops the
 * timestamp option (Windows default, or a peer that did not offer it). `wscaleShift` < 0 drops
 * window scaling. Returns the option bytes written (padded to a multiple of 4).
 */
export const writeSynOptions = (
  dst: Uint8Array,
  at: number,
  style: SynOptionStyle,
  mssValue: number,
  wscaleShift: number,
  timestamps: boolean,
  tsVal: number,
  tsEcr: number
): number => {
  let n = 0
  switch (style) {
    case "linux":
      n += mss(dst, at + n, mssValue)
      n += sackPermitted(dst, at + n)
      if (timestamps) n += timestamp(dst, at + n, tsVal, tsEcr)
      else {
        n += nop(dst, at + n)
        n += nop(dst, at + n)
      }
      if (wscaleShift >= 0) {
        n += nop(dst, at + n)
        n += wscale(dst, at + n, wscaleShift)
      }
      break
    case "windows":
      n += mss(dst, at + n, mssValue)
      if (wscaleShift >= 0) {
        n += nop(dst, at + n)
        n += wscale(dst, at + n, wscaleShift)
      }
      if (timestamps) {
        n += nop(dst, at + n)
        n += nop(dst, at + n)
        n += timestamp(dst, at + n, tsVal, tsEcr)
      }
      n += nop(dst, at + n)
      n += nop(dst, at + n)
      n += sackPermitted(dst, at + n)
      break
    case "macos":
      n += mss(dst, at + n, mssValue)
      if (wscaleShift >= 0) {
        n += nop(dst, at + n)
        n += wscale(dst, at + n, wscaleShift)
      }
      n += nop(dst, at + n)
      n += nop(dst, at + n)
      if (timestamps) n += timestamp(dst, at + n, tsVal, tsEcr)
      n += sackPermitted(dst, at + n)
      break
    case "bare":
      n += mss(dst, at + n, mssValue)
      break
  }
  while ((n & 3) !== 0) dst[at + n++] = KIND_EOL
  return n
}

/** NOP NOP TIMESTAMP: the 12 option bytes on every established segment of a timestamping stack. */
export const writeTimestampOption = (dst: Uint8Array, at: number, tsVal: number, tsEcr: number): number => {
  nop(dst, at)
  nop(dst, at + 1)
  timestamp(dst, at + 2, tsVal, tsEcr)
  return 12
}

/** NOP NOP SACK with one block [left, right) (sequence numbers), 12 bytes. */
export const writeSackOption = (dst: Uint8Array, at: number, left: number, right: number): number => {
  nop(dst, at)
  nop(dst, at + 1)
  dst[at + 2] = KIND_SACK
  dst[at + 3] = 10
  writeU32(dst, at + 4, left >>> 0)
  writeU32(dst, at + 8, right >>> 0)
  return 12
}
