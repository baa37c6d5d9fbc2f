/**
 * One capture read from start (or from a checkpoint) to end: reader + meter + findings.
 *
 * Holds: `CaptureSession` — `open` (inspect, restore a checkpoint when it fits, else replay
 * from the start and drop the batches the caller already has), `pull` (parse the next chunk's
 * packets and return the events they produced: batches with their checkpoints, damage
 * findings; `null` at the end) and `close`. A checkpoint is: magic, version, options
 * fingerprint, phase, reader offset, section state and the serialised meter.
 * Does not hold: Effect wrapping (see `capture-stream.ts`) or threads (see `worker/`).
 */
import { Finding, InputError, type ResumePoint, type SourceEvent } from "@hashhound/core"
import { ByteWindow, type ByteSource } from "./capture/byte-window.js"
import { inspectCapture, openSource, readRanges, type CaptureKind } from "./capture/open-capture.js"
import { PacketView, STEP_PACKET, type CaptureParser, type DamageSink } from "./capture/packet.js"
import { PcapParser } from "./capture/pcap-parser.js"
import { PcapngParser } from "./capture/pcapng-parser.js"
import { ByteReader, ByteWriter } from "./checkpoint/byte-codec.js"
import { readMeter, writeMeter, type PendingReplay } from "./checkpoint/meter-state.js"
import { errorText } from "./files.js"
import { summaryFindings } from "./findings.js"
import { gzipBreak } from "./gzip-stream.js"
import { FlowMeter } from "./meter/flow-meter.js"
import { optionsFingerprint, resolveOptions, type FlowMeterOptions, type ResolvedOptions } from "./options.js"

const MAGIC = 0x4d464848 // "HHFM"
const VERSION = 4
/** detailed damage findings per capture; later ones are only counted */
export const MAX_DAMAGE_FINDINGS = 50

const PHASE_READING = 0
const PHASE_FLUSHING = 1

export class CaptureSession implements DamageSink {
  private readonly o: ResolvedOptions
  private meter: FlowMeter
  private parser: CaptureParser | undefined
  private source: ByteSource | undefined
  private window: ByteWindow | undefined
  private readonly pkt = new PacketView()
  private events: Array<SourceEvent> = []
  private phase = PHASE_READING
  private done = false
  private nextIndex = 0
  /** batches below this index were delivered before (replay without a usable checkpoint) */
  private skipBelow = 0
  private damageReported = 0
  private damageUnreported = 0
  /** damage at or before this offset was reported before the checkpoint */
  private damageSeenUpTo = -1
  private kind: CaptureKind | undefined
  private readonly capture: string

  private constructor(
    readonly path: string,
    options: FlowMeterOptions
  ) {
    this.o = resolveOptions(options)
    this.capture = this.o.captureName ?? path
    this.meter = this.newMeter()
  }

  private newMeter(): FlowMeter {
    const meter = new FlowMeter(this.o)
    meter.onBatchFull = () => this.batchFull()
    return meter
  }

  static async open(path: string, options: FlowMeterOptions, resume?: ResumePoint): Promise<CaptureSession> {
    const session = new CaptureSession(path, options)
    await session.start(resume)
    return session
  }

  private async start(resume: ResumePoint | undefined): Promise<void> {
    const kind = await inspectCapture(this.path)
    this.kind = kind
    if (kind._tag === "empty") {
      if (kind.cutShort > 0) this.damage("truncated_file", 0, `file ends inside the pcap file header (${kind.cutShort} of 24 bytes)`)
      else this.report("empty_capture", "info", "the capture holds no bytes", 0)
      this.phase = PHASE_FLUSHING
      return
    }
    let offset = kind._tag === "pcap" ? 24 : 0
    let replays: Array<PendingReplay> = []
    this.parser = kind._tag === "pcap" ? new PcapParser(kind.header, this) : new PcapngParser(this)
    const restored = resume?.checkpoint === undefined ? undefined : this.restore(resume.checkpoint)
    if (restored !== undefined) {
      offset = restored.offset
      this.meter.resumeAt = offset
      replays = restored.replays
      this.nextIndex = resume?.nextBatch ?? restored.nextBatch
    } else {
      this.skipBelow = resume?.nextBatch ?? 0
    }
    if (replays.length > 0) await this.replayHints(replays, kind.gzip)
    if (this.phase === PHASE_READING) {
      this.source = await openSource(this.path, kind.gzip, offset, this.o.chunkBytes).catch((error: unknown) => {
        throw new InputError({ path: this.path, reason: `cannot open: ${errorText(error)}` })
      })
      this.window = new ByteWindow(this.o.chunkBytes, offset)
    }
  }

  /** frames read so far (metered or not) */
  get packetsRead(): number {
    return this.meter.counters.packets
  }

  // ---------------------------------------------------------------- findings

  private report(code: string, severity: "info" | "warn", message: string, offset?: number, count?: number): void {
    this.events.push({
      _tag: "Finding",
      finding: new Finding({
        source: this.o.findingSource,
        code,
        severity,
        message,
        capture: this.capture,
        ...(offset === undefined ? {} : { offset }),
        ...(count === undefined ? {} : { count })
      })
    })
  }

  damage(code: "corrupt_record" | "truncated_file" | "unknown_interface" | "bad_timestamp", offset: number, message: string): void {
    if (offset <= this.damageSeenUpTo) return
    this.damageSeenUpTo = offset
    if (this.damageReported >= MAX_DAMAGE_FINDINGS) {
      this.damageUnreported++
      return
    }
    this.damageReported++
    this.report(code, "warn", message, offset)
  }

  // ---------------------------------------------------------------- batches and checkpoints

  private batchFull(): void {
    const batch = this.meter.writer.finish()
    const index = this.nextIndex++
    if (index < this.skipBelow) return
    const checkpoint = this.o.checkpoints ? this.checkpoint(index + 1) : undefined
    this.events.push({
      _tag: "Batch",
      index,
      batch,
      ...(checkpoint === undefined ? {} : { checkpoint }),
      bytesRead: this.meter.resumeAt
    })
  }

  private checkpoint(nextBatch: number): Uint8Array {
    const w = new ByteWriter()
    w.u32(MAGIC)
    w.u32(VERSION)
    w.str(optionsFingerprint(this.o))
    w.u8(this.phase)
    w.f64(this.meter.resumeAt)
    w.u32(nextBatch)
    w.f64(this.damageSeenUpTo)
    w.u32(this.damageReported)
    w.f64(this.damageUnreported)
    const parser = this.parser
    if (parser instanceof PcapngParser) {
      w.u8(2)
      w.u8(parser.le ? 1 : 0)
      w.u32(parser.interfaces.length)
      for (const info of parser.interfaces) {
        w.u32(info.linkType)
        w.u32(info.snaplen)
        w.u8(info.tsresol)
        w.f64(info.tsoffset)
      }
    } else if (parser instanceof PcapParser) {
      w.u8(1)
      w.f64(parser.lastTsSec)
    } else w.u8(0)
    writeMeter(w, this.meter)
    return w.finish()
  }

  /** Apply a checkpoint; undefined (and a fresh meter) when it does not fit this read. */
  private restore(bytes: Uint8Array): { offset: number; nextBatch: number; replays: Array<PendingReplay> } | undefined {
    try {
      const r = new ByteReader(bytes)
      if (r.u32() !== MAGIC || r.u32() !== VERSION) return undefined
      if (r.str() !== optionsFingerprint(this.o)) return undefined
      const phase = r.u8()
      const offset = r.f64()
      const nextBatch = r.u32()
      const damageSeenUpTo = r.f64()
      const damageReported = r.u32()
      const damageUnreported = r.f64()
      const parserKind = r.u8()
      const parser = this.parser
      if (parserKind === 2) {
        if (!(parser instanceof PcapngParser)) return undefined
        const le = r.u8() === 1
        const n = r.u32()
        if (n > 65_536) return undefined
        const interfaces = []
        for (let i = 0; i < n; i++) interfaces.push({ linkType: r.u32(), snaplen: r.u32(), tsresol: r.u8(), tsoffset: r.f64() })
        parser.restore(le, interfaces)
      } else if (parserKind === 1) {
        if (!(parser instanceof PcapParser)) return undefined
        parser.lastTsSec = r.f64()
      } else return undefined
      const replays = readMeter(r, this.meter)
      if (!r.done || !Number.isFinite(offset) || offset < 0) throw new Error("trailing bytes")
      this.phase = phase === PHASE_FLUSHING ? PHASE_FLUSHING : PHASE_READING
      this.damageSeenUpTo = damageSeenUpTo
      this.damageReported = damageReported
      this.damageUnreported = damageUnreported
      return { offset, nextBatch, replays }
    } catch {
      // a checkpoint this version cannot read: start over with a clean meter
      this.meter = this.newMeter()
      const kind = this.kind
      if (kind?._tag === "pcapng") this.parser = new PcapngParser(this)
      else if (kind?._tag === "pcap") this.parser = new PcapParser(kind.header, this)
      this.phase = PHASE_READING
      return undefined
    }
  }

  private async replayHints(replays: ReadonlyArray<PendingReplay>, gzip: boolean): Promise<void> {
    const ranges = replays.flatMap((p) => p.log.map((fed) => ({ offset: fed.offset, length: Math.min(fed.length, 1 << 18) })))
    const bytes = await readRanges(this.path, gzip, ranges)
    let at = 0
    const store = this.meter.store
    for (const replay of replays) {
      const payloads = replay.log.map((fed) => ({ bytes: bytes[at++]!, fed }))
      const w0 = store.keys[replay.slot * 10]!
      const ports = store.keys[replay.slot * 10 + 9]!
      const srcIsA = store.u.srcIsA[replay.slot] === 1
      const srcPort = srcIsA ? ports >>> 16 : ports & 0xffff
      const dstPort = srcIsA ? ports & 0xffff : ports >>> 16
      this.meter.hints.replay(replay.slot, payloads, (w0 >>> 16) & 0xff, (forward) =>
        forward ? [srcPort, dstPort] : [dstPort, srcPort]
      )
    }
  }

  // ---------------------------------------------------------------- reading

  /** The events of the next step; null when the capture is done. */
  async pull(): Promise<Array<SourceEvent> | null> {
    while (this.events.length === 0 && !this.done) {
      if (this.phase === PHASE_READING) await this.readStep()
      else this.finish()
    }
    const out = this.events
    this.events = []
    return out.length === 0 && this.done ? null : out
  }

  private async readStep(): Promise<void> {
    const parser = this.parser
    const w = this.window
    const source = this.source
    if (parser === undefined || w === undefined || source === undefined) {
      this.phase = PHASE_FLUSHING
      return
    }
    const pkt = this.pkt
    const meter = this.meter
    for (;;) {
      const step = parser.next(w, pkt)
      if (step === STEP_PACKET) {
        meter.packet(pkt)
        continue
      }
      if (step === 3 || w.eof) {
        this.phase = PHASE_FLUSHING
        await this.closeSource()
        return
      }
      // parsed all whole records in the window: read the next chunk
      meter.resumeAt = w.offset
      try {
        await w.fill(source)
      } catch (error) {
        const message = errorText(error)
        if (source.compressed) {
          const broke = gzipBreak(message)
          this.damage(broke.code, w.base + w.end, broke.text)
          w.eof = true
        } else throw new InputError({ path: this.path, reason: `read failed: ${message}` })
      }
      return
    }
  }

  private finish(): void {
    this.meter.finishAll()
    const counters = this.meter.counters
    for (const f of summaryFindings(counters, this.damageUnreported, this.o.findingSource, this.capture)) {
      this.events.push({ _tag: "Finding", finding: f })
    }
    this.done = true
  }

  private async closeSource(): Promise<void> {
    const source = this.source
    this.source = undefined
    if (source === undefined) return
    // a chunk read ahead may still be in flight on the file handle
    await this.window?.settle()
    await source.close()
  }

  async close(): Promise<void> {
    await this.closeSource()
  }
}
