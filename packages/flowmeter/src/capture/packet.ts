/**
 * The packet a capture parser hands to the meter, and the parser contract.
 *
 * Holds: `PacketView` (one reusable object: where the frame lies in the window Buffer, its
 * captured and original length, timestamp in µs, link type and record offsets), the parser
 * step results, the damage sink parsers report through, and exact timestamp arithmetic for
 * 64-bit tick counts.
 * Does not hold: any decoding of the frame itself (see `decode/`).
 */
import type { ByteWindow } from "./byte-window.js"

export class PacketView {
  /** the window buffer holding the frame */
  buf: Buffer = Buffer.alloc(0)
  /** frame start inside `buf` */
  start = 0
  /** captured bytes of the frame */
  caplen = 0
  /** original (wire) length */
  origLen = 0
  /** µs since the Unix epoch (integer valued) */
  tsUs = 0
  linkType = 0
  /** file offset of the record (block) holding the frame */
  recordOffset = 0
  /** file offset just after that record */
  nextOffset = 0
  /** `buf` index of the record start (to turn buffer indices into file offsets) */
  recordStartInBuf = 0
  /** true when the file ended inside this record and the frame is cut short */
  cutShort = false
}

export const STEP_PACKET = 1
export const STEP_NEED = 2
export const STEP_END = 3
export type Step = typeof STEP_PACKET | typeof STEP_NEED | typeof STEP_END

/** Where parsers report damage: a code, the file offset and a message. */
export interface DamageSink {
  damage(code: "corrupt_record" | "truncated_file" | "unknown_interface" | "bad_timestamp", offset: number, message: string): void
}

/** A capture parser over a ByteWindow. */
export interface CaptureParser {
  /** Next packet into `out`, or NEED (more bytes please; the window keeps [start, end)), or END. */
  next(w: ByteWindow, out: PacketView): Step
  /** Serialisable section/interface state (see checkpoint). */
  readonly kind: "pcap" | "pcapng"
}

const TWO32 = 4294967296

/**
 * µs from a 64-bit tick count (hi, lo) at `unitsPerSecond`, exact for decimal resolutions
 * finer than 1 µs (so nanosecond pcapng timestamps do not lose a µs to float rounding).
 */
export interface TickScale {
  /** 0: ticks are µs; 1: divide by `div` exactly; 2: multiply by `mul` */
  readonly mode: 0 | 1 | 2
  readonly div: number
  readonly q: number
  readonly r: number
  readonly mul: number
}

export const tickScale = (unitsPerSecond: number): TickScale => {
  if (unitsPerSecond === 1e6) return { mode: 0, div: 1, q: 0, r: 0, mul: 1 }
  const div = unitsPerSecond / 1e6
  if (Number.isInteger(div) && div > 1 && div < TWO32) {
    return { mode: 1, div, q: Math.floor(TWO32 / div), r: TWO32 % div, mul: 1 }
  }
  return { mode: 2, div: 1, q: 0, r: 0, mul: 1e6 / unitsPerSecond }
}

export const ticksToUs = (hi: number, lo: number, s: TickScale): number => {
  if (s.mode === 0) return hi * TWO32 + lo
  if (s.mode === 1) return hi * s.q + Math.floor((hi * s.r + lo) / s.div)
  return Math.floor((hi * TWO32 + lo) * s.mul)
}
