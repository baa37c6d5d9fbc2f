/**
 * Scheduled events of the simulation and their pool.
 *
 * Holds: `SimEvent` (one mutable record type for timers, TCP segments, pure ACKs, sender
 * pumps and UDP datagrams), the `EventTarget` that handles them, and `EventPool`, which
 * recycles records so a long run allocates nothing per packet.
 * Does not hold: the queue (see `event-queue.ts`) or what targets do (see `tcp.ts`, `udp.ts`).
 */
import type { Scheduled } from "./event-queue.js"
import type { Chunk } from "./stream-chunks.js"

export const EV_TIMER = 0
export const EV_SEGMENT = 1
export const EV_ACK = 2
export const EV_PUMP = 3
export const EV_DATAGRAM = 4

/** Loss state of a segment: delivered, lost beyond the capture point (seen), lost before it (unseen). */
export const DELIVERED = 0
export const LOST_AFTER_CAPTURE = 1
export const LOST_BEFORE_CAPTURE = 2

export interface EventTarget {
  handle(ev: SimEvent): void
}

export class SimEvent implements Scheduled {
  time = 0
  order = 0
  kind = EV_TIMER
  target: EventTarget | null = null
  fn: ((timeUs: number) => void) | null = null
  /** 0 client→server, 1 server→client */
  dir = 0
  /** stream offset of the first byte (0 is the SYN) */
  off = 0
  len = 0
  flags = 0
  chunk: Chunk | null = null
  chunkOff = 0
  loss = DELIVERED
  /** the last segment of its chunk (fires the chunk's onSent) */
  endOfChunk = false
  retransmission = false
  /** for ACK events: send even when nothing new is acknowledged (duplicate ACK) */
  duplicate = false
  payload: Buffer | null = null

  reset(): void {
    this.target = null
    this.fn = null
    this.chunk = null
    this.payload = null
    this.flags = 0
    this.len = 0
    this.off = 0
    this.chunkOff = 0
    this.loss = DELIVERED
    this.endOfChunk = false
    this.retransmission = false
    this.duplicate = false
  }
}

export class EventPool {
  private readonly free: Array<SimEvent> = []

  take(): SimEvent {
    return this.free.pop() ?? new SimEvent()
  }

  give(ev: SimEvent): void {
    ev.reset()
    if (this.free.length < 65_536) this.free.push(ev)
  }
}
