/**
 * State of one direction of a simulated TCP connection: the sender's queue, sequence space,
 * congestion window and pacing clock, and what the receiver has taken in so far.
 *
 * Holds: `Direction`, with a bounded ring of segments captured but not yet "arrived" at the
 * receiver, which is drained lazily (`advance`) when the receiver sends, so that every
 * acknowledgement number in the capture covers exactly the data that could have reached the
 * peer by then (one hole at a time, filled by the retransmission).
 * Does not hold: scheduling or frame building (see `tcp.ts`).
 */
import type { Chunk } from "./stream-chunks.js"

const RING = 4096

export class Direction {
  /** initial sequence number (wire value) */
  isn = 0
  /** next stream offset to assign to new data (0 is the SYN) */
  nxt = 1
  /** highest stream offset end emitted into the capture so far */
  sentMax = 0
  /** pending writes, oldest first; `headOff` bytes of the head already segmented */
  readonly queue: Array<Chunk> = []
  headOff = 0
  pumpScheduled = false
  /** capture time after the last scheduled segment (keeps the direction in order) */
  clock = 0
  lastSendUs = -1e12
  cwnd = 10
  ssthresh = 1 << 30
  /** stream offset of a segment lost and not yet retransmitted, or -1 */
  holeSeq = -1
  finQueued = false
  finSent = false
  /** IP ID counter for per-connection stacks */
  ipId = 0
  /** TCP timestamp clock offset (ticks) */
  tsBase = 0

  // ---- the receiver's view of this direction (a ring that grows from 16 to RING entries)
  private ringTime: Float64Array = new Float64Array(16)
  private ringSeq: Float64Array = new Float64Array(16)
  private ringEnd: Float64Array = new Float64Array(16)
  private ringTs: Float64Array = new Float64Array(16)
  private head = 0
  private count = 0
  /** next stream offset the receiver expects */
  rcvNxt = 0
  /** highest end received out of order */
  maxEnd = 0
  /** lowest offset received beyond the hole, or -1 */
  oooStart = -1
  /** the latest TSval the receiver has seen (what it echoes) */
  lastTsVal = 0
  /** segments received since the receiver last acknowledged */
  unacked = 0
  /** capture time of the last data segment received */
  lastDataUs = -1e12

  /** A delivered segment passed the capture point at `timeUs`. */
  record(timeUs: number, seq: number, end: number, tsVal: number): void {
    if (this.count === this.ringTime.length) {
      if (this.count < RING) this.grow()
      else this.consumeHead()
    }
    const at = (this.head + this.count) % this.ringTime.length
    this.ringTime[at] = timeUs
    this.ringSeq[at] = seq
    this.ringEnd[at] = end
    this.ringTs[at] = tsVal
    this.count++
  }

  /** Take in every recorded segment captured at or before `uptoUs`. */
  advance(uptoUs: number): void {
    while (this.count > 0 && this.ringTime[this.head]! <= uptoUs) this.consumeHead()
  }

  private consumeHead(): void {
    const h = this.head
    const seq = this.ringSeq[h]!
    const end = this.ringEnd[h]!
    if (seq <= this.rcvNxt) {
      this.rcvNxt = Math.max(this.rcvNxt, end, this.oooStart >= 0 && this.oooStart <= end ? this.maxEnd : 0)
      if (this.rcvNxt >= this.maxEnd) this.oooStart = -1
    } else {
      this.maxEnd = Math.max(this.maxEnd, end)
      if (this.oooStart < 0 || seq < this.oooStart) this.oooStart = seq
    }
    this.lastTsVal = this.ringTs[h]!
    this.head = (h + 1) % this.ringTime.length
    this.count--
  }

  private grow(): void {
    const size = this.ringTime.length
    const copy = (from: Float64Array): Float64Array => {
      const to = new Float64Array(size * 2)
      for (let i = 0; i < this.count; i++) to[i] = from[(this.head + i) % size]!
      return to
    }
    this.ringTime = copy(this.ringTime)
    this.ringSeq = copy(this.ringSeq)
    this.ringEnd = copy(this.ringEnd)
    this.ringTs = copy(this.ringTs)
    this.head = 0
  }
}
