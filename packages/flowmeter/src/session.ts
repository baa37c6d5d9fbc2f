/**
 * One capture read from start (or from a checkpoint) to end: reader + meter + findings. The
 * capture may be one file or the pieces a rotating capture was cut into, read one after
 * another into the same meter (see `capture/pieces.ts`).
 *
 * Holds: `CaptureSession` — `open` (inspect, restore a checkpoint when it fits, else replay
 * from the start and drop the batches the caller already has), `pull` (parse the next chunk's
 * packets and return the events they produced: batches with their checkpoints, damage
 * findings; `null` at the end) and `close`. A checkpoint is: magic, version, options
 * fingerprint, the pieces' count and the positions where those reached so far start, phase,
 * reader position, section state and the serialised meter.
 * Does not hold: Effect wrapping (see `capture-stream.ts`) or threads (see `worker/`).
 */
import { Finding, InputError, type ResumePoint, type SourceEvent } from "@hashhound/core"
import { ByteWindow, type ByteSource } from "./capture/byte-window.js"
import { inspectCapture, openSource, parserFor, readRanges, recordsStart, type CaptureKind } from "./capture/open-capture.js"
import { PacketView, STEP_PACKET, type CaptureParser, type DamageSink } from "./capture/packet.js"
import { PcapParser } from "./capture/pcap-parser.js"
import { PcapngParser } from "./capture/pcapng-parser.js"
import { firstPacketTime, pieceAt, pieceName, piecesOf, PROBE_CHUNK, type CaptureInput } from "./capture/pieces.js"
import { ByteReader, ByteWriter } from "./checkpoint/byte-codec.js"
import { readMeter, writeMeter, type PendingReplay } from "./checkpoint/meter-state.js"
import { errorText } from "./files.js"
import { summaryFindings } from "./findings.js"
import { gzipBreak } from "./gzip-stream.js"
import { FlowMeter } from "./meter/flow-meter.js"
import { KEY_WORDS } from "./meter/flow-store.js"
import { optionsFingerprint, resolveOptions, type FlowMeterOptions, type ResolvedOptions } from "./options.js"

const MAGIC = 0x4d464848 // "HHFM"
const VERSION = 5
/** detailed damage findings per capture; later ones are only counted */
export const MAX_DAMAGE_FINDINGS = 50

const PHASE_READING = 0
const PHASE_FLUSHING = 1

/** A piece that begins more than this before the previous one ends is reported (`pieces_overlap`). */
const OVERLAP_TOLERANCE_US = 1_000_000

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
  /** damage at or before this position was reported before the checkpoint */
  private damageSeenUpTo = -1
  private readonly capture: string
  /** the files read, in order: one, or the pieces of one capture */
  private readonly pieces: ReadonlyArray<string>
  /** the piece being read */
  private piece = 0
  /** the position (bytes over the pieces before it) where each piece reached so far begins */
  private starts: Array<number> = [0]
  /** for the first packet times of pieces after the first (made when needed) */
  private probe: ByteWindow | undefined

  private constructor(input: CaptureInput, options: FlowMeterOptions) {
    this.o = resolveOptions(options)
    this.pieces = piecesOf(input)
    this.capture = this.o.captureName ?? this.pieces[0] ?? ""
    this.meter = this.newMeter()
  }

  /** the file being read */
  get path(): string {
    return this.pieces[this.piece] ?? ""
  }

  private newMeter(): FlowMeter {
    const meter = new FlowMeter(this.o)
    meter.onBatchFull = () => this.batchFull()
    return meter
  }

  static async open(input: CaptureInput, options: FlowMeterOptions, resume?: ResumePoint): Promise<CaptureSession> {
    const session = new CaptureSession(input, options)
    await session.start(resume)
    return session
  }

  private async start(resume: ResumePoint | undefined): Promise<void> {
    const restored = resume?.checkpoint === undefined ? undefined : await this.restore(resume.checkpoint)
    if (restored === undefined) {
      this.skipBelow = resume?.nextBatch ?? 0
      await this.enterPiece(0, 0)
      return
    }
    this.meter.resumeAt = restored.position
    this.nextIndex = resume?.nextBatch ?? restored.nextBatch
    if (restored.replays.length > 0) await this.replayHints(restored.replays)
    if (this.phase === PHASE_READING) await this.openPiece(restored.kind, restored.position - this.starts[this.piece]!)
  }

  /**
   * Start reading piece `k`, which begins at `position`: inspect it and open it after its file
   * header. A piece with no packets is reported and passed over; in a capture of several pieces,
   * so is a file that is no capture (the others are still read). Past the last piece, flush.
   */
  private async enterPiece(k: number, position: number): Promise<void> {
    const several = this.pieces.length > 1
    for (let at = k; at < this.pieces.length; at++) {
      this.piece = at
      this.starts[at] = position
      this.starts.length = at + 1
      const kind = await inspectCapture(this.path).catch((error: unknown) => {
        if (!several || !(error instanceof InputError)) throw error
        this.report("not_a_capture", "warn", `${error.reason}; this piece is passed over`, 0)
        return undefined
      })
      if (kind === undefined) continue
      if (kind._tag === "empty") {
        if (kind.cutShort > 0) this.damage("truncated_file", 0, `file ends inside the pcap file header (${kind.cutShort} of 24 bytes)`)
        else this.report("empty_capture", "info", several ? "the piece holds no bytes" : "the capture holds no bytes", 0)
        continue
      }
      if (at > 0) await this.checkFollows(kind)
      this.parser = parserFor(kind, this)
      await this.openPiece(kind, 0)
      return
    }
    this.phase = PHASE_FLUSHING
  }

  /** Open the current piece at `offset` (never inside a pcap file header). */
  private async openPiece(kind: CaptureKind, offset: number): Promise<void> {
    const from = Math.max(recordsStart(kind), offset)
    this.source = await openSource(this.path, kind.gzip, from, this.o.chunkBytes).catch((error: unknown) => {
      throw new InputError({ path: this.path, reason: `cannot open: ${errorText(error)}` })
    })
    if (this.window === undefined) this.window = new ByteWindow(this.o.chunkBytes, from)
    else this.window.reset(from)
  }

  /** Report a piece that begins before the one read last ends: not the next piece of the same capture. */
  private async checkFollows(kind: CaptureKind): Promise<void> {
    const before = this.meter.clock
    if (!Number.isFinite(before)) return
    this.probe ??= new ByteWindow(PROBE_CHUNK, 0)
    const first = await firstPacketTime(this.path, kind, this.probe, this.pkt)
    if (first === undefined || first >= before - OVERLAP_TOLERANCE_US) return
    const previous = pieceName(this.pieces[this.piece - 1] ?? "")
    this.report(
      "pieces_overlap",
      "warn",
      `begins ${((before - first) / 1e6).toFixed(3)} s before the piece read before it (${previous}) ends: the pieces of one capture follow one another in time, so a flow in both may be metered wrongly`,
      0
    )
  }

  /** frames read so far (metered or not) */
  get packetsRead(): number {
    return this.meter.counters.packets
  }

  // ---------------------------------------------------------------- findings

  /** A finding about the file being read: named by the piece when there are several. */
  private report(code: string, severity: "info" | "warn", message: string, offset?: number, count?: number): void {
    this.events.push({
      _tag: "Finding",
      finding: new Finding({
        source: this.o.findingSource,
        code,
        severity,
        message,
        capture: this.pieces.length > 1 ? pieceName(this.path) : this.capture,
        ...(offset === undefined ? {} : { offset }),
        ...(count === undefined ? {} : { count })
      })
    })
  }

  damage(code: "corrupt_record" | "truncated_file" | "unknown_interface" | "bad_timestamp", offset: number, message: string): void {
    // offsets are the piece's own; what was reported before a checkpoint is known by position
    const position = this.starts[this.piece]! + offset
    if (position <= this.damageSeenUpTo) return
    this.damageSeenUpTo = position
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
    w.u32(this.pieces.length)
    w.u32(this.starts.length)
    for (const start of this.starts) w.f64(start)
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

  /**
   * Apply a checkpoint: the piece it was taken in is inspected again and its parser, the meter
   * and the findings' state restored. Undefined (and a clean start) when it does not fit this read.
   */
  private async restore(
    bytes: Uint8Array
  ): Promise<{ position: number; nextBatch: number; replays: Array<PendingReplay>; kind: CaptureKind } | undefined> {
    try {
      const r = new ByteReader(bytes)
      if (r.u32() !== MAGIC || r.u32() !== VERSION) return undefined
      if (r.str() !== optionsFingerprint(this.o)) return undefined
      if (r.u32() !== this.pieces.length) return undefined
      const reached = r.u32()
      if (reached < 1 || reached > this.pieces.length) return undefined
      const starts: Array<number> = []
      for (let i = 0; i < reached; i++) starts.push(r.f64())
      const phase = r.u8()
      const position = r.f64()
      const nextBatch = r.u32()
      const damageSeenUpTo = r.f64()
      const damageReported = r.u32()
      const damageUnreported = r.f64()
      const parserKind = r.u8()
      if (!Number.isFinite(position) || position < 0) return undefined
      this.piece = pieceAt(starts, position)
      this.starts = starts.slice(0, this.piece + 1)
      const kind = await inspectCapture(this.path)
      const parser = parserFor(kind, this)
      if (parserKind === 2 && parser instanceof PcapngParser) {
        const le = r.u8() === 1
        const n = r.u32()
        if (n > 65_536) return this.startOver()
        const interfaces = []
        for (let i = 0; i < n; i++) interfaces.push({ linkType: r.u32(), snaplen: r.u32(), tsresol: r.u8(), tsoffset: r.f64() })
        parser.restore(le, interfaces)
      } else if (parserKind === 1 && parser instanceof PcapParser) {
        parser.lastTsSec = r.f64()
      } else return this.startOver()
      this.parser = parser
      const replays = readMeter(r, this.meter)
      if (!r.done) throw new Error("trailing bytes")
      this.phase = phase === PHASE_FLUSHING ? PHASE_FLUSHING : PHASE_READING
      this.damageSeenUpTo = damageSeenUpTo
      this.damageReported = damageReported
      this.damageUnreported = damageUnreported
      return { position, nextBatch, replays, kind }
    } catch {
      // a checkpoint this version cannot read, or a piece that changed: start over
      return this.startOver()
    }
  }

  /** Forget a checkpoint half applied: a clean meter at the first piece. */
  private startOver(): undefined {
    this.meter = this.newMeter()
    this.parser = undefined
    this.piece = 0
    this.starts = [0]
    this.phase = PHASE_READING
    return undefined
  }

  /** Feed the restored hint collectors the payloads they had, read again from the pieces that hold them. */
  private async replayHints(replays: ReadonlyArray<PendingReplay>): Promise<void> {
    const wanted = replays.flatMap((p) => p.log.map((fed) => ({ position: fed.offset, length: Math.min(fed.length, 1 << 18) })))
    // the ranges of each piece, read with one pass over it
    const byPiece = new Map<number, Array<number>>()
    wanted.forEach((range, i) => {
      const k = pieceAt(this.starts, range.position)
      const list = byPiece.get(k)
      if (list === undefined) byPiece.set(k, [i])
      else list.push(i)
    })
    const bytes: Array<Uint8Array> = new Array<Uint8Array>(wanted.length)
    for (const [k, inPiece] of byPiece) {
      const path = this.pieces[k]!
      const kind = await inspectCapture(path)
      const start = this.starts[k]!
      const got = await readRanges(path, kind.gzip, inPiece.map((i) => ({ offset: wanted[i]!.position - start, length: wanted[i]!.length })))
      inPiece.forEach((i, j) => (bytes[i] = got[j]!))
    }
    let at = 0
    const store = this.meter.store
    for (const replay of replays) {
      const payloads = replay.log.map((fed) => ({ bytes: bytes[at++]!, fed }))
      const w0 = store.keys[replay.slot * KEY_WORDS]!
      const ports = store.keys[replay.slot * KEY_WORDS + KEY_WORDS - 1]!
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
    // the meter counts positions over the pieces: offsets in this piece plus where it starts
    const start = this.starts[this.piece]!
    for (;;) {
      const step = parser.next(w, pkt)
      if (step === STEP_PACKET) {
        pkt.recordOffset += start
        pkt.nextOffset += start
        meter.packet(pkt)
        continue
      }
      if (step === 3 || w.eof) {
        await this.closeSource()
        if (this.piece + 1 < this.pieces.length) await this.enterPiece(this.piece + 1, start + w.base + w.end)
        else this.phase = PHASE_FLUSHING
        return
      }
      // parsed all whole records in the window: read the next chunk
      meter.resumeAt = start + w.offset
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
