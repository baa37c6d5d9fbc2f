/**
 * A simulated TCP connection as a capture point near the client sees it: handshake with the
 * stacks' options, MSS segmentation paced by a congestion window and the path's bandwidth,
 * delayed and duplicate ACKs, loss with fast retransmit or RTO, FIN/FIN teardown or RST.
 *
 * Holds: `TcpConnection` (an event target: it schedules its own segments, ACKs and sender
 * pumps on the engine and has each frame built when its time comes). Acknowledgement numbers,
 * SACK blocks, TSecr and windows are computed when a packet is emitted, from what the peer can
 * have received by then, so the capture is consistent in time. Applications drive it with
 * `connect`, `write`, `close`, `reset`. Re-exports the shapes in `tcp-types.ts`.
 * Does not hold: what applications send (see `behaviours/`) or header layout (see
 * `tcp-frame.ts` and `@hashhound/flowmeter`'s PacketBuilder).
 */
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from "@hashhound/flowmeter"
import type { Engine, FlowTruth } from "./engine.js"
import {
  DELIVERED,
  EV_ACK,
  EV_PUMP,
  EV_SEGMENT,
  LOST_AFTER_CAPTURE,
  LOST_BEFORE_CAPTURE,
  type EventTarget,
  type SimEvent
} from "./events.js"
import type { Rng } from "./prng.js"
import { type Chunk, FinMarker } from "./stream-chunks.js"
import { Direction } from "./tcp-direction.js"
import { buildTcpFrame, type TcpFrameContext } from "./tcp-frame.js"
import { C2S, type PathModel, S2C, type TcpEndpoint } from "./tcp-types.js"

export * from "./tcp-types.js"


const STATE_NEW = 0
const STATE_SYN = 1
const STATE_OPEN = 2
const STATE_CLOSED = 3

const HEADER_BYTES = 14 + 20 + 32

export class TcpConnection implements EventTarget, TcpFrameContext {
  readonly dirs: [Direction, Direction] = [new Direction(), new Direction()]
  private readonly lastAck: [number, number] = [-1, -1]
  private state = STATE_NEW
  private aborted = false
  readonly timestamps: boolean
  readonly sack: boolean
  readonly wscale: boolean
  private readonly segSize: [number, number]
  /** IPv6 headers are 20 bytes longer: the MSS offered is 20 bytes smaller */
  readonly v6: boolean
  onOpen: ((timeUs: number) => void) | undefined
  onClosed: ((timeUs: number) => void) | undefined
  /** answer the peer's FIN with our own (true for almost every application) */
  closeOnPeerFin = true

  constructor(
    readonly engine: Engine,
    private readonly rng: Rng,
    readonly client: TcpEndpoint,
    readonly server: TcpEndpoint,
    readonly path: PathModel,
    readonly truth: FlowTruth
  ) {
    const c = client.stack
    const s = server.stack
    this.timestamps = c.timestamps && s.timestamps
    this.sack = c.sackPermitted && s.sackPermitted
    this.wscale = c.wscale >= 0 && s.wscale >= 0
    this.v6 = client.ip6 !== null && server.ip6 !== null
    const mss = Math.min(c.mss, s.mss) - (this.v6 ? 20 : 0) - (this.timestamps ? 12 : 0)
    this.segSize = [mss, mss]
    for (const [i, side] of [client, server].entries()) {
      const d = this.dirs[i]!
      d.isn = rng.nextU32()
      d.ipId = rng.int(0, 0xffff)
      d.tsBase = rng.nextU32()
      d.cwnd = side.stack.initCwnd
    }
  }

  get isOpen(): boolean {
    return this.state === STATE_OPEN
  }

  get isClosed(): boolean {
    return this.state === STATE_CLOSED
  }

  /** A sample of the round trip between the capture point and the client (µs). */
  nearRtt(): number {
    return this.path.nearBaseUs + this.rng.exponential(this.path.nearJitterUs)
  }

  /** A sample of the round trip between the capture point and the server (µs). */
  farRtt(): number {
    return this.path.farBaseUs + this.rng.exponential(this.path.farJitterUs)
  }

  fullRtt(): number {
    return this.nearRtt() + this.farRtt()
  }

  /** Start the handshake at `timeUs`; `refused` makes the server answer with RST. */
  connect(timeUs: number, refused = false): void {
    if (this.state !== STATE_NEW) return
    this.state = STATE_SYN
    let t = timeUs
    let rto = this.client.stack.synRtoUs
    // lost SYNs are captured (lost beyond us) and sent again after the SYN timeout
    for (let attempt = 0; attempt < 3 && this.rng.chance(this.path.lossC2S); attempt++) {
      this.segment(t, C2S, 0, 0, TCP_SYN, null, 0, LOST_AFTER_CAPTURE, false)
      t += rto
      rto *= 2
    }
    this.segment(t, C2S, 0, 0, TCP_SYN, null, 0, DELIVERED, false)
    const answer = t + this.farRtt()
    if (refused) {
      this.segment(answer, S2C, 0, 0, TCP_RST | TCP_ACK, null, 0, DELIVERED, false)
      return
    }
    this.segment(answer, S2C, 0, 0, TCP_SYN | TCP_ACK, null, 0, DELIVERED, false)
    this.dirs[C2S].clock = answer
    this.dirs[S2C].clock = answer
  }

  /**
   * Queue `chunk` for sending in direction `dir` at `timeUs`. A write for a later time waits
   * on the engine until then, so it neither leaves early with data already queued nor holds
   * back data written in the meantime for an earlier time: each direction sends its writes in
   * time order (ties in call order).
   */
  write(dir: number, timeUs: number, chunk: Chunk): void {
    if (timeUs > this.engine.now) {
      this.engine.at(timeUs, (t) => this.write(dir, t, chunk))
      return
    }
    const d = this.dirs[dir]!
    if (this.state === STATE_CLOSED || d.finQueued) return
    d.queue.push(chunk)
    this.kick(dir, timeUs)
  }

  /** Close direction `dir` with FIN at `timeUs`, once the data queued by then is sent. */
  close(dir: number, timeUs: number): void {
    if (timeUs > this.engine.now) {
      this.engine.at(timeUs, (t) => this.close(dir, t))
      return
    }
    const d = this.dirs[dir]!
    if (this.state === STATE_CLOSED || d.finQueued) return
    d.queue.push(new FinMarker())
    d.finQueued = true
    this.kick(dir, timeUs)
  }

  /** Abort with RST from direction `dir`'s sender. */
  reset(dir: number, timeUs: number): void {
    if (this.state === STATE_CLOSED) return
    const d = this.dirs[dir]!
    this.segment(Math.max(timeUs, d.clock), dir, -1, 0, TCP_RST | TCP_ACK, null, 0, DELIVERED, false)
  }

  handle(ev: SimEvent): void {
    if (this.aborted || (this.state === STATE_CLOSED && ev.kind === EV_PUMP)) return
    switch (ev.kind) {
      case EV_PUMP:
        this.pump(ev.dir, ev.time)
        return
      case EV_SEGMENT:
        this.emitSegment(ev)
        return
      case EV_ACK:
        this.emitAck(ev)
        return
    }
  }

  // ------------------------------------------------------------------ scheduling

  private kick(dir: number, timeUs: number): void {
    const d = this.dirs[dir]!
    if (d.pumpScheduled) return
    d.pumpScheduled = true
    const ev = this.engine.pool.take()
    ev.kind = EV_PUMP
    ev.target = this
    ev.dir = dir
    ev.time = Math.max(timeUs, d.clock)
    this.engine.schedule(ev)
  }

  private segment(
    timeUs: number,
    dir: number,
    off: number,
    len: number,
    flags: number,
    chunk: Chunk | null,
    chunkOff: number,
    loss: number,
    endOfChunk: boolean
  ): SimEvent {
    const ev = this.engine.pool.take()
    ev.kind = EV_SEGMENT
    ev.target = this
    ev.time = timeUs
    ev.dir = dir
    ev.off = off
    ev.len = len
    ev.flags = flags
    ev.chunk = chunk
    ev.chunkOff = chunkOff
    ev.loss = loss
    ev.endOfChunk = endOfChunk
    this.engine.schedule(ev)
    return ev
  }

  private ack(timeUs: number, dir: number, duplicate: boolean): void {
    const ev = this.engine.pool.take()
    ev.kind = EV_ACK
    ev.target = this
    ev.time = timeUs
    ev.dir = dir
    ev.duplicate = duplicate
    this.engine.schedule(ev)
  }

  private rto(dir: number): number {
    const stack = dir === C2S ? this.client.stack : this.server.stack
    return Math.max(stack.minRtoUs, 2 * (this.path.nearBaseUs + this.path.farBaseUs) + 4 * (this.path.farJitterUs + this.path.nearJitterUs))
  }

  private pump(dir: number, timeUs: number): void {
    const d = this.dirs[dir]!
    d.pumpScheduled = false
    if (this.state !== STATE_OPEN) {
      if (this.state !== STATE_CLOSED) this.kick(dir, timeUs + 1000)
      return
    }
    const stack = dir === C2S ? this.client.stack : this.server.stack
    if (timeUs - d.lastSendUs > this.rto(dir)) d.cwnd = stack.initCwnd
    const bps = dir === C2S ? this.path.upBps : this.path.downBps
    const lossP = dir === C2S ? this.path.lossC2S : this.path.lossS2C
    const mss = this.segSize[dir]!
    let t = Math.max(timeUs, d.clock)
    let sent = 0
    let lost: SimEvent | null = null
    let afterLost = 0
    let lostAt = 0
    let fastAt = 0
    while (sent < d.cwnd && d.queue.length > 0) {
      const chunk = d.queue[0]!
      if (chunk instanceof FinMarker) {
        d.queue.shift()
        this.segment(t, dir, d.nxt, 0, TCP_FIN | TCP_ACK, null, 0, DELIVERED, false)
        d.nxt += 1
        sent++
        break
      }
      const len = Math.min(mss, chunk.length - d.headOff)
      if (len <= 0) {
        d.queue.shift()
        d.headOff = 0
        if (chunk.onSent !== undefined) this.engine.at(t, chunk.onSent)
        continue
      }
      const last = d.headOff + len === chunk.length
      let loss = DELIVERED
      if (lost === null && d.holeSeq < 0 && lossP > 0 && this.rng.chance(lossP)) {
        loss = dir === C2S ? LOST_AFTER_CAPTURE : LOST_BEFORE_CAPTURE
      }
      const ev = this.segment(t, dir, d.nxt, len, TCP_ACK | (last ? TCP_PSH : 0), chunk, d.headOff, loss, last)
      if (loss !== DELIVERED) {
        lost = ev
        lostAt = t
        d.holeSeq = d.nxt
      } else if (lost !== null && ++afterLost === 3) fastAt = t
      d.nxt += len
      d.headOff += len
      if (last) {
        d.queue.shift()
        d.headOff = 0
      }
      sent++
      t += (((len + HEADER_BYTES) * 8) / bps) * 1e6 * (1 + 0.2 * this.rng.next())
    }
    if (lost !== null) {
      const when = afterLost >= 3 ? fastAt + this.fullRtt() : lostAt + this.rto(dir) + this.rng.uniform(0, 20_000)
      const re = this.segment(when, dir, lost.off, lost.len, lost.flags, lost.chunk, lost.chunkOff, DELIVERED, lost.endOfChunk)
      re.retransmission = true
      lost.endOfChunk = false
      d.ssthresh = Math.max(2, Math.floor(d.cwnd / 2))
      d.cwnd = d.ssthresh
    } else if (d.queue.length > 0) {
      d.cwnd = d.cwnd < d.ssthresh ? Math.min(d.cwnd * 2, 4096) : Math.min(d.cwnd + 1, 4096)
    }
    d.clock = t
    d.lastSendUs = t
    if (d.queue.length > 0) {
      d.pumpScheduled = true
      const ev = this.engine.pool.take()
      ev.kind = EV_PUMP
      ev.target = this
      ev.dir = dir
      ev.time = Math.max(timeUs + this.fullRtt(), t)
      this.engine.schedule(ev)
    }
  }

  // ------------------------------------------------------------------ emission

  private side(dir: number): TcpEndpoint {
    return dir === C2S ? this.client : this.server
  }

  /** Acknowledgement offset the sender of `dir` can give at capture time `timeUs`. */
  private ackOffset(dir: number, timeUs: number): number {
    const base = dir === C2S ? this.path.nearBaseUs : this.path.farBaseUs
    const other = this.dirs[1 - dir]!
    other.advance(timeUs - base)
    return other.rcvNxt
  }

  private emitSegment(ev: SimEvent): void {
    const dir = ev.dir
    const d = this.dirs[dir]!
    const syn = (ev.flags & TCP_SYN) !== 0
    const fin = (ev.flags & TCP_FIN) !== 0
    const rst = (ev.flags & TCP_RST) !== 0
    if (rst && ev.off < 0) ev.off = d.sentMax > 0 ? d.sentMax : d.nxt
    const ackOff = syn && dir === C2S ? -1 : this.ackOffset(dir, ev.time)
    const end = ev.off + ev.len + (syn || fin ? 1 : 0)
    if (ev.retransmission && d.holeSeq === ev.off) d.holeSeq = -1
    const tsVal = this.tsVal(dir, ev.time)
    if (ev.loss !== LOST_BEFORE_CAPTURE) buildTcpFrame(this, ev, ackOff, tsVal, false)
    d.sentMax = Math.max(d.sentMax, end)
    if (ackOff >= 0) {
      this.lastAck[dir] = Math.max(this.lastAck[dir]!, ackOff)
      this.dirs[1 - dir]!.unacked = 0
    }
    if (ev.endOfChunk && ev.chunk?.onSent !== undefined) ev.chunk.onSent(ev.time)
    if (rst) {
      this.aborted = true
      this.finishNow()
      return
    }
    if (ev.loss !== DELIVERED) return
    d.record(ev.time, ev.off, end, tsVal)
    if (syn) {
      if (dir === S2C) {
        this.state = STATE_OPEN
        const t = ev.time + this.nearRtt()
        this.ack(t, C2S, true)
        const onOpen = this.onOpen
        if (onOpen !== undefined) this.engine.at(t, onOpen)
      }
      return
    }
    this.react(ev, dir, fin)
  }

  /** The receiver of a delivered segment in `dir` answers: ACK now, later, or with its FIN. */
  private react(ev: SimEvent, dir: number, fin: boolean): void {
    const d = this.dirs[dir]!
    const back = 1 - dir
    const receiver = this.side(back)
    const delay = dir === C2S ? this.farRtt() : this.nearRtt()
    const t = ev.time + delay
    if (fin) {
      d.finSent = true
      const mine = this.dirs[back]!
      if (!mine.finQueued && this.closeOnPeerFin) {
        const when = t + this.rng.uniform(20, 400)
        this.ack(t + receiver.stack.delayedAckUs, back, false)
        this.engine.at(when, (now) => this.close(back, now))
      } else this.ack(t, back, false)
      if (mine.finSent) this.engine.at(ev.time + 3_000_000, () => this.finishNow())
      return
    }
    if (d.holeSeq >= 0 && ev.off > d.holeSeq) {
      this.ack(t, back, true)
      return
    }
    if (ev.retransmission) {
      this.ack(t, back, false)
      return
    }
    const quiet = ev.time - d.lastDataUs > 200_000
    d.lastDataUs = ev.time
    if (receiver.stack.quickAck && quiet) {
      this.ack(t + this.rng.uniform(10, 60), back, false)
      return
    }
    d.unacked++
    if (d.unacked >= 2) {
      d.unacked = 0
      this.ack(t, back, false)
    } else this.ack(t + receiver.stack.delayedAckUs, back, false)
  }

  private emitAck(ev: SimEvent): void {
    const dir = ev.dir
    const ackOff = this.ackOffset(dir, ev.time)
    if (!ev.duplicate && ackOff <= this.lastAck[dir]!) return
    const d = this.dirs[dir]!
    ev.off = d.sentMax > 0 ? d.sentMax : d.nxt
    ev.len = 0
    ev.flags = TCP_ACK
    buildTcpFrame(this, ev, ackOff, this.tsVal(dir, ev.time), ev.duplicate)
    this.lastAck[dir] = Math.max(this.lastAck[dir]!, ackOff)
    this.dirs[1 - dir]!.unacked = 0
  }

  private tsVal(dir: number, timeUs: number): number {
    const stack = this.side(dir).stack
    return (this.dirs[dir]!.tsBase + Math.floor((timeUs * stack.tsHz) / 1e6)) >>> 0
  }

  private finishNow(): void {
    if (this.state === STATE_CLOSED) return
    this.state = STATE_CLOSED
    this.engine.finish(this.truth)
    const onClosed = this.onClosed
    if (onClosed !== undefined) this.engine.at(this.engine.now, onClosed)
  }
}
