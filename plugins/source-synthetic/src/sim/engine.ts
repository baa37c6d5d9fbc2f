/**
 * The event loop: pops the next event of all concurrent connections in time order, lets its
 * target build the frame, and streams frames to the pcap writer.
 *
 * Holds: `Engine` (queue, event pool, the one reusable PacketBuilder, the writer, the capture
 * clock, packet and byte counts, and the ground-truth sink that flows report to) and
 * `FlowTruth`, the label record each connection or UDP exchange carries.
 * Does not hold: TCP or UDP behaviour (see `tcp.ts`, `udp.ts`) or the file formats' I/O
 * beyond calling the writer.
 */
import { PacketBuilder, type PcapWriter } from "@hashhound/flowmeter"
import { EventQueue } from "./event-queue.js"
import { EV_TIMER, EventPool, type SimEvent } from "./events.js"

/** Ground truth for one flow as the capture shows it (post-NAT addresses). */
export interface FlowTruth {
  readonly srcIp: string
  readonly srcPort: number
  readonly dstIp: string
  readonly dstPort: number
  readonly protocol: number
  readonly label: "mining" | "benign"
  readonly behaviour: string
  /** capture µs of the first and last packet written; -1 before the first */
  firstUs: number
  lastUs: number
  /** written to the sink already */
  done: boolean
}

export interface TruthSink {
  write(truth: FlowTruth, baseUs: number): void
}

export class Engine {
  readonly queue = new EventQueue<SimEvent>()
  readonly pool = new EventPool()
  readonly builder = new PacketBuilder()
  /** µs of simulated time the capture covers */
  readonly endUs: number
  /** the capture's start, whole seconds since the epoch */
  readonly baseSeconds: number
  /** time of the event being handled (µs from the start) */
  now = 0
  packets = 0
  bytes = 0
  private readonly open = new Set<FlowTruth>()

  constructor(
    private readonly writer: PcapWriter,
    private readonly truths: TruthSink,
    baseSeconds: number,
    endUs: number
  ) {
    this.baseSeconds = baseSeconds
    this.endUs = endUs
  }

  /** Run `fn` at `timeUs` (clamped to now). */
  at(timeUs: number, fn: (timeUs: number) => void): void {
    const ev = this.pool.take()
    ev.kind = EV_TIMER
    ev.time = Math.max(timeUs, this.now)
    ev.fn = fn
    this.queue.push(ev)
  }

  schedule(ev: SimEvent): void {
    if (ev.time < this.now) ev.time = this.now
    this.queue.push(ev)
  }

  /** Write the frame in `builder.frame` stamped `timeUs`; updates the flow's first/last seen. */
  writeFrame(exactUs: number, length: number, truth: FlowTruth | null): void {
    // stamp at the file's resolution, so labels and the file agree to the microsecond
    const timeUs = this.writer.precision === "ns" ? Math.round(exactUs * 1000) / 1000 : Math.floor(exactUs)
    this.writer.writeAt(this.baseSeconds, timeUs, this.builder.frame, length)
    this.packets++
    this.bytes += length
    if (truth !== null && !truth.done) {
      if (truth.firstUs < 0) {
        truth.firstUs = timeUs
        this.open.add(truth)
      }
      truth.lastUs = timeUs
    }
  }

  /** A flow will send nothing more: its label row can be written. */
  finish(truth: FlowTruth): void {
    if (truth.done) return
    truth.done = true
    if (truth.firstUs >= 0) {
      this.open.delete(truth)
      this.truths.write(truth, this.baseSeconds * 1e6)
    }
  }

  /**
   * Handle events up to the end of the capture, at most `budget` of them. Returns true when
   * the capture is complete (queue empty or past its end); then every open flow is written.
   */
  run(budget: number): boolean {
    let left = budget
    while (left-- > 0) {
      const ev = this.queue.peek()
      if (ev === undefined || ev.time > this.endUs) {
        this.finishAll()
        return true
      }
      this.queue.pop()
      this.now = ev.time
      if (ev.kind === EV_TIMER) {
        const fn = ev.fn
        this.pool.give(ev)
        if (fn !== null) fn(this.now)
      } else {
        const target = ev.target
        if (target !== null) target.handle(ev)
        this.pool.give(ev)
      }
    }
    return false
  }

  private finishAll(): void {
    const rest = [...this.open].sort((a, b) => a.firstUs - b.firstUs)
    for (const truth of rest) this.finish(truth)
  }
}
