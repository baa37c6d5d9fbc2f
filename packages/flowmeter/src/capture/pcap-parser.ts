/**
 * Classic pcap record parser (µs and ns, either byte order; the 24-byte record headers of
 * Kuznetsov's modified pcap) with damage recovery.
 *
 * Holds: `PcapParser`, which walks record headers through a ByteWindow, refuses
 * records longer than MAX_RECORD (damage, never an allocation), hands a cut-short last record
 * on as far as it goes, and after damage scans forward for a plausible record header (sane
 * timestamp, incl_len ≤ snaplen and ≤ orig_len) that is followed by another plausible header.
 * Does not hold: frame decoding, file I/O.
 */
import { u32, u32le } from "../hints/wire-fields.js"
import type { ByteWindow } from "./byte-window.js"
import type { PcapHeader } from "./format.js"
import { STEP_END, STEP_NEED, STEP_PACKET, type CaptureParser, type DamageSink, type PacketView, type Step } from "./packet.js"

/** Largest captured length accepted for one record. */
export const MAX_RECORD = 256 * 1024

/** how far (seconds) a resynchronised timestamp may lie from the last good one */
const RESYNC_TS_WINDOW_S = 366 * 86400

export class PcapParser implements CaptureParser {
  readonly kind = "pcap" as const
  readonly le: boolean
  readonly nano: boolean
  readonly snaplen: number
  readonly linkType: number
  /** record header bytes: 16, or 24 in the modified format (its extra fields are not used) */
  private readonly hdr: number
  private resyncing = false
  private resyncFrom = 0
  private damageAt = 0
  /** seconds of the last good record, -1 before the first */
  lastTsSec = -1

  constructor(
    header: PcapHeader,
    private readonly sink: DamageSink
  ) {
    this.le = header.littleEndian
    this.nano = header.nano
    this.linkType = header.linkType
    this.hdr = header.modified ? 24 : 16
    // libpcap: the modified format's Ethernet snaplen leaves out the 14-byte link header
    this.snaplen = header.modified && header.snaplen > 0 && this.linkType === 1 ? header.snaplen + 14 : header.snaplen
  }

  private u32(buf: Buffer, at: number): number {
    return this.le ? u32le(buf, at) : u32(buf, at)
  }

  next(w: ByteWindow, out: PacketView): Step {
    for (;;) {
      if (this.resyncing) {
        const step = this.scan(w)
        if (step !== STEP_PACKET) return step
        continue
      }
      const hdr = this.hdr
      const avail = w.end - w.start
      if (avail < hdr) {
        if (!w.eof) return STEP_NEED
        if (avail > 0) {
          this.sink.damage("truncated_file", w.offset, `file ends inside a record header (${avail} of ${hdr} bytes)`)
          w.start = w.end
        }
        return STEP_END
      }
      const buf = w.buf
      const s = w.start
      const incl = this.u32(buf, s + 8)
      const orig = this.u32(buf, s + 12)
      if (incl > MAX_RECORD) {
        this.beginResync(w, `record length ${incl} is larger than ${MAX_RECORD}`)
        continue
      }
      const tsSec = this.u32(buf, s)
      const sub = this.u32(buf, s + 4)
      out.buf = buf
      out.recordOffset = w.base + s
      out.recordStartInBuf = s
      out.start = s + hdr
      out.origLen = orig
      out.linkType = this.linkType
      out.tsUs = tsSec * 1e6 + (this.nano ? Math.floor(sub / 1000) : sub)
      if (avail < hdr + incl) {
        if (!w.eof) return STEP_NEED
        this.sink.damage(
          "truncated_file",
          w.base + s,
          `file ends inside a record: ${avail - hdr} of ${incl} captured bytes present`
        )
        out.caplen = avail - hdr
        out.cutShort = true
        out.nextOffset = w.base + w.end
        w.start = w.end
        this.lastTsSec = tsSec
        return STEP_PACKET
      }
      out.caplen = incl
      out.cutShort = false
      out.nextOffset = w.base + s + hdr + incl
      w.start = s + hdr + incl
      this.lastTsSec = tsSec
      return STEP_PACKET
    }
  }

  private beginResync(w: ByteWindow, why: string): void {
    this.resyncing = true
    this.damageAt = w.offset
    this.resyncFrom = w.offset + 1
    this.reason = why
  }

  private reason = ""

  /** a record header at `at` that could be real */
  private plausible(buf: Buffer, at: number): boolean {
    const tsSec = this.u32(buf, at)
    const sub = this.u32(buf, at + 4)
    const incl = this.u32(buf, at + 8)
    const orig = this.u32(buf, at + 12)
    if (sub >= (this.nano ? 1e9 : 1e6)) return false
    if (incl > orig || incl > MAX_RECORD || orig > MAX_RECORD) return false
    if (this.snaplen > 0 && incl > this.snaplen) return false
    if (this.lastTsSec >= 0 && Math.abs(tsSec - this.lastTsSec) > RESYNC_TS_WINDOW_S) return false
    return true
  }

  private scan(w: ByteWindow): Step {
    const hdr = this.hdr
    const buf = w.buf
    let p = Math.max(this.resyncFrom - w.base, w.start)
    for (; p + hdr <= w.end; p++) {
      if (!this.plausible(buf, p)) continue
      const q = p + hdr + this.u32(buf, p + 8)
      if (q + hdr > w.end) {
        if (q === w.end && w.eof) return this.found(w, p)
        if (w.eof) continue
        // keep the candidate in the window and ask for more
        w.start = p
        this.resyncFrom = w.base + p
        return STEP_NEED
      }
      if (this.plausible(buf, q)) return this.found(w, p)
    }
    if (w.eof) {
      this.sink.damage(
        "corrupt_record",
        this.damageAt,
        `${this.reason}; no good record found after it (${w.base + w.end - this.damageAt} bytes skipped to the end)`
      )
      this.resyncing = false
      w.start = w.end
      return STEP_END
    }
    // nothing here; drop what was scanned but keep the last bytes that may start a header
    const keep = Math.max(w.start, w.end - hdr + 1)
    w.start = keep
    this.resyncFrom = w.base + keep
    return STEP_NEED
  }

  private found(w: ByteWindow, p: number): Step {
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
}
