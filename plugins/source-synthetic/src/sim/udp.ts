/**
 * A simulated UDP exchange (DNS query and answer, NTP poll, …) between a client and a server
 * as the capture point sees it.
 *
 * Holds: `UdpFlow`, an event target that emits datagrams whose payloads the application gives
 * as Buffers, with IP IDs and TTLs from the endpoints, and writes its label row once it has
 * been ended and its last datagram is out.
 * Does not hold: message contents (see `proto/dns.ts`, `proto/ntp.ts`).
 */
import type { Engine, FlowTruth } from "./engine.js"
import { EV_DATAGRAM, type EventTarget, type SimEvent } from "./events.js"
import type { TcpEndpoint } from "./tcp.js"

export class UdpFlow implements EventTarget {
  private pending = 0
  private ended = false
  private ipId: number

  constructor(
    private readonly engine: Engine,
    readonly client: TcpEndpoint,
    readonly server: TcpEndpoint,
    readonly truth: FlowTruth,
    firstIpId: number
  ) {
    this.ipId = firstIpId
  }

  /** Send `payload` in direction `dir` (0 client→server, 1 back) at capture time `timeUs`. */
  send(dir: number, timeUs: number, payload: Buffer): void {
    const ev = this.engine.pool.take()
    ev.kind = EV_DATAGRAM
    ev.target = this
    ev.time = timeUs
    ev.dir = dir
    ev.payload = payload
    this.pending++
    this.engine.schedule(ev)
  }

  /** No more datagrams will be sent; the label row is written after the last one. */
  end(): void {
    this.ended = true
    if (this.pending === 0) this.engine.finish(this.truth)
  }

  handle(ev: SimEvent): void {
    this.pending--
    const me = ev.dir === 0 ? this.client : this.server
    const peer = ev.dir === 0 ? this.server : this.client
    const b = this.engine.builder
    b.srcMac.set(me.mac)
    b.dstMac.set(peer.mac)
    if (me.ip6 !== null && peer.ip6 !== null) {
      b.ipVersion = 6
      b.src6.set(me.ip6)
      b.dst6.set(peer.ip6)
    } else {
      b.ipVersion = 4
      b.src4 = me.ip4
      b.dst4 = peer.ip4
    }
    b.ttl = me.ttl
    b.dontFragment = me.stack.name === "linux" || me.stack.name === "android"
    if (me.stack.ipIdMode === "global") b.ipId = me.ipIds.next()
    else {
      this.ipId = (this.ipId + 1) & 0xffff
      b.ipId = this.ipId
    }
    b.srcPort = me.port
    b.dstPort = peer.port
    const payload = ev.payload
    const length = b.buildUdp(payload, 0, payload === null ? 0 : payload.length)
    this.engine.writeFrame(ev.time, length, this.truth)
    if (this.ended && this.pending === 0) this.engine.finish(this.truth)
  }
}
