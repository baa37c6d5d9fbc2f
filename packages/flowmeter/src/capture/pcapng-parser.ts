/**
 * pcapng block parser: sections of either byte order, several interfaces with their own
 * link type, snaplen, if_tsresol and if_tsoffset, EPB/SPB/obsolete PB, other blocks skipped.
 *
 * Holds: `PcapngParser` and its interface table (kept per section, serialisable for resume).
 * Framing is checked on every block (length ≥ 12, a multiple of 4, at most MAX_BLOCK, trailing
 * length equal); on damage it scans forward for a known block type whose trailing length
 * matches and goes on from there.
 * Does not hold: frame decoding, file I/O.
 */
import { u16, u16le, u32, u32le } from "../hints/wire-fields.js"
import { MAX_BLOCK, type ByteWindow } from "./byte-window.js"
import { PCAPNG_SHB } from "./format.js"
import {
  STEP_END,
  STEP_NEED,
  STEP_PACKET,
  tickScale,
  ticksToUs,
  type CaptureParser,
  type DamageSink,
  type PacketView,
  type Step,
  type TickScale
} from "./packet.js"
import { MAX_RECORD } from "./pcap-parser.js"

const BOM = 0x1a2b3c4d
const IDB = 1
const PB = 2
const SPB = 3
const EPB = 6
/** block types a resynchronising scan accepts (SHB, IDB, PB, SPB, NRB, ISB, EPB, DSB, custom) */
const KNOWN = new Set([PCAPNG_SHB, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x00000bad, 0x40000bad])
/** interfaces per section at most (bounded memory on damaged input) */
const MAX_INTERFACES = 65_536

export interface InterfaceInfo {
  readonly linkType: number
  readonly snaplen: number
  /** the if_tsresol byte (6 = µs when absent) */
  readonly tsresol: number
  /** if_tsoffset in seconds */
  readonly tsoffset: number
}

const unitsPerSecond = (tsresol: number): number =>
  (tsresol & 0x80) !== 0 ? 2 ** (tsresol & 0x7f) : 10 ** (tsresol & 0x7f)

export class PcapngParser implements CaptureParser {
  readonly kind = "pcapng" as const
  le = true
  interfaces: Array<InterfaceInfo> = []
  private scales: Array<TickScale> = []
  private resyncing = false
  private resyncFrom = 0
  private damageAt = 0
  private reason = ""

  constructor(private readonly sink: DamageSink) {}

  /** Restore the section state saved in a checkpoint. */
  restore(le: boolean, interfaces: ReadonlyArray<InterfaceInfo>): void {
    this.le = le
    this.interfaces = []
    this.scales = []
    for (const info of interfaces) this.addInterface(info)
  }

  private addInterface(info: InterfaceInfo): void {
    if (this.interfaces.length >= MAX_INTERFACES) return
    this.interfaces.push(info)
    const units = unitsPerSecond(info.tsresol)
    this.scales.push(tickScale(Number.isFinite(units) && units > 0 ? units : 1e6))
  }

  private u32(buf: Buffer, at: number, le = this.le): number {
    return le ? u32le(buf, at) : u32(buf, at)
  }

  private u16(buf: Buffer, at: number): number {
    return this.le ? u16le(buf, at) : u16(buf, at)
  }

  next(w: ByteWindow, out: PacketView): Step {
    for (;;) {
      if (this.resyncing) {
        const step = this.scan(w)
        if (step !== STEP_PACKET) return step
        continue
      }
      const avail = w.end - w.start
      if (avail < 12) {
        if (!w.eof) return STEP_NEED
        if (avail > 0) {
          this.sink.damage("truncated_file", w.offset, `file ends inside a block header (${avail} bytes)`)
          w.start = w.end
        }
        return STEP_END
      }
      const buf = w.buf
      const s = w.start
      const type = this.u32(buf, s)
      let le = this.le
      if (type === PCAPNG_SHB) {
        const bom = u32le(buf, s + 8)
        if (bom === BOM) le = true
        else if (bom === 0x4d3c2b1a) le = false
        else {
          this.beginResync(w, "section header block with a bad byte-order magic")
          continue
        }
      }
      const len = this.u32(buf, s + 4, le)
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        this.beginResync(w, `block length ${len} is impossible`)
        continue
      }
      if (avail < len) {
        if (!w.eof) return STEP_NEED
        return this.cutShort(w, out, type, len)
      }
      if (this.u32(buf, s + len - 4, le) !== len) {
        this.beginResync(w, `block length ${len} does not match its trailing copy`)
        continue
      }
      w.start = s + len
      if (type === PCAPNG_SHB) {
        this.le = le
        this.interfaces = []
        this.scales = []
        continue
      }
      if (type === IDB) {
        this.readIdb(buf, s, len, w.base + s)
        continue
      }
      if (type === EPB || type === PB || type === SPB) {
        if (this.packet(buf, s, len, type, w, out, false)) return STEP_PACKET
        continue
      }
      // NRB, ISB, DSB, custom and unknown blocks: skipped
    }
  }

  /** the file ends inside a block: hand on a packet block's frame as far as it goes */
  private cutShort(w: ByteWindow, out: PacketView, type: number, len: number): Step {
    const s = w.start
    const avail = w.end - s
    this.sink.damage("truncated_file", w.offset, `file ends inside a block: ${avail} of ${len} bytes present`)
    w.start = w.end
    if ((type === EPB || type === PB) && avail >= 28) {
      if (this.packet(w.buf, s, avail, type, w, out, true)) return STEP_PACKET
    }
    if (type === SPB && avail >= 12) {
      if (this.packet(w.buf, s, avail, type, w, out, true)) return STEP_PACKET
    }
    return STEP_END
  }

  private readIdb(buf: Buffer, s: number, len: number, offset: number): void {
    if (len < 20) {
      this.sink.damage("corrupt_record", offset, "interface description block too short")
      return
    }
    const linkType = this.u16(buf, s + 8)
    const snaplen = this.u32(buf, s + 12)
    let tsresol = 6
    let tsoffset = 0
    let o = s + 16
    const end = s + len - 4
    while (o + 4 <= end) {
      const code = this.u16(buf, o)
      const olen = this.u16(buf, o + 2)
      if (code === 0) break
      const v = o + 4
      if (v + olen > end) break
      if (code === 9 && olen >= 1) tsresol = buf[v]!
      if (code === 14 && olen >= 8) {
        const hi = this.le ? buf.readInt32LE(v + 4) : buf.readInt32BE(v)
        const lo = this.le ? buf.readUInt32LE(v) : buf.readUInt32BE(v + 4)
        tsoffset = hi * 4294967296 + lo
      }
      o = v + ((olen + 3) & ~3)
    }
    this.addInterface({ linkType, snaplen, tsresol, tsoffset })
  }

  /** Fill `out` from a packet block at buffer index `s` with `len` bytes present. */
  private packet(buf: Buffer, s: number, len: number, type: number, w: ByteWindow, out: PacketView, cut: boolean): boolean {
    const offset = w.base + s
    let iface: number
    let hi = 0
    let lo = 0
    let caplen: number
    let origLen: number
    let data: number
    // the frame area ends before the trailing length (and options, bounded by caplen)
    const limit = cut ? s + len : s + len - 4
    if (type === SPB) {
      iface = 0
      origLen = this.u32(buf, s + 8)
      data = s + 12
      const info = this.interfaces[0]
      caplen = Math.min(origLen, limit - data)
      if (info !== undefined && info.snaplen > 0) caplen = Math.min(caplen, info.snaplen)
    } else {
      iface = type === PB ? this.u16(buf, s + 8) : this.u32(buf, s + 8)
      hi = this.u32(buf, s + 12)
      lo = this.u32(buf, s + 16)
      caplen = this.u32(buf, s + 20)
      origLen = this.u32(buf, s + 24)
      data = s + 28
      if (caplen > limit - data) {
        if (!cut) {
          this.sink.damage("corrupt_record", offset, `packet block says ${caplen} captured bytes but holds ${limit - data}`)
          return false
        }
        caplen = limit - data
      }
    }
    if (caplen > MAX_RECORD) caplen = MAX_RECORD
    const info = this.interfaces[iface]
    const scale = this.scales[iface]
    if (info === undefined || scale === undefined) {
      this.sink.damage("unknown_interface", offset, `packet block names interface ${iface}, which no IDB of this section describes`)
      return false
    }
    out.buf = buf
    out.recordOffset = offset
    out.recordStartInBuf = s
    out.start = data
    out.caplen = Math.max(0, caplen)
    out.origLen = origLen
    out.linkType = info.linkType
    out.tsUs = type === SPB ? Number.NaN : ticksToUs(hi, lo, scale) + info.tsoffset * 1e6
    out.cutShort = cut
    out.nextOffset = offset + len
    return true
  }

  private beginResync(w: ByteWindow, why: string): void {
    this.resyncing = true
    this.damageAt = w.offset
    this.resyncFrom = w.offset + 1
    this.reason = why
  }

  private scan(w: ByteWindow): Step {
    const buf = w.buf
    let p = Math.max(this.resyncFrom - w.base, w.start)
    for (; p + 12 <= w.end; p++) {
      const type = this.u32(buf, p)
      if (!KNOWN.has(type)) continue
      let le = this.le
      if (type === PCAPNG_SHB) {
        const bom = u32le(buf, p + 8)
        if (bom === BOM) le = true
        else if (bom === 0x4d3c2b1a) le = false
        else continue
      }
      const len = this.u32(buf, p + 4, le)
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) continue
      if (p + len > w.end) {
        if (w.eof) continue
        w.start = p
        this.resyncFrom = w.base + p
        return STEP_NEED
      }
      if (this.u32(buf, p + len - 4, le) !== len) continue
      const at = w.base + p
      this.sink.damage(
        "corrupt_record",
        this.damageAt,
        `${this.reason}; resynchronised at offset ${at} after skipping ${at - this.damageAt} bytes`
      )
      this.resyncing = false
      w.start = p
      return STEP_PACKET
    }
    if (w.eof) {
      this.sink.damage(
        "corrupt_record",
        this.damageAt,
        `${this.reason}; no good block found after it (${w.base + w.end - this.damageAt} bytes skipped to the end)`
      )
      this.resyncing = false
      w.start = w.end
      return STEP_END
    }
    const keep = Math.max(w.start, w.end - 11)
    w.start = keep
    this.resyncFrom = w.base + keep
    return STEP_NEED
  }
}
