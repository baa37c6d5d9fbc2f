/**
 * Building one TCP frame of a simulated connection into the engine's PacketBuilder: addresses,
 * TTL and IP ID policy of the sending stack, sequence and acknowledgement numbers, window
 * (scaled once negotiated, growing as data arrives), SYN options in the stack's layout or
 * timestamps and SACK on established segments, and the payload filled from its chunk.
 *
 * Holds: `TcpFrameContext` (what the connection shares with the builder) and `buildTcpFrame`.
 * Does not hold: when packets are sent or what they acknowledge (see `tcp.ts`).
 */
import { TCP_ACK, TCP_RST, TCP_SYN, writeSackOption, writeSynOptions, writeTimestampOption } from "@hashhound/flowmeter"
import type { Engine, FlowTruth } from "./engine.js"
import type { SimEvent } from "./events.js"
import type { Direction } from "./tcp-direction.js"
import { C2S, S2C, type TcpEndpoint } from "./tcp-types.js"

export interface TcpFrameContext {
  readonly engine: Engine
  readonly client: TcpEndpoint
  readonly server: TcpEndpoint
  readonly dirs: readonly [Direction, Direction]
  readonly timestamps: boolean
  readonly sack: boolean
  readonly wscale: boolean
  readonly v6: boolean
  readonly truth: FlowTruth
}

/** Build and write the frame for `ev` (acknowledging `ackOff`, -1 for none). */
export const buildTcpFrame = (c: TcpFrameContext, ev: SimEvent, ackOff: number, tsVal: number, sackBlock: boolean): void => {
  const dir = ev.dir
  const me = dir === C2S ? c.client : c.server
  const peer = dir === C2S ? c.server : c.client
  const d = c.dirs[dir]!
  const other = c.dirs[1 - dir]!
  const b = c.engine.builder
  b.dstMac.set(peer.mac)
  b.srcMac.set(me.mac)
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
  b.dontFragment = true
  const syn = (ev.flags & TCP_SYN) !== 0
  if (syn && dir === S2C && me.stack.zeroIdSynAck) b.ipId = 0
  else if (me.stack.ipIdMode === "global") b.ipId = me.ipIds.next()
  else {
    d.ipId = (d.ipId + 1) & 0xffff
    b.ipId = d.ipId
  }
  b.srcPort = me.port
  b.dstPort = peer.port
  b.seq = (d.isn + ev.off) >>> 0
  b.ack = ackOff >= 0 ? (other.isn + ackOff) >>> 0 : 0
  b.flags = ev.flags | (ackOff >= 0 && (ev.flags & TCP_RST) === 0 ? TCP_ACK : 0)
  if (syn) {
    const offerTs = dir === C2S ? me.stack.timestamps : c.timestamps
    const wscale = dir === C2S || c.wscale ? me.stack.wscale : -1
    b.window = Math.min(me.stack.synWindow, 65_535)
    b.optionsLength = writeSynOptions(b.options, 0, me.stack.synStyle, me.stack.mss - (c.v6 ? 20 : 0), wscale, offerTs, tsVal, dir === C2S ? 0 : other.lastTsVal)
  } else {
    const received = Math.max(0, other.rcvNxt)
    const window = Math.min(me.stack.maxWindow, me.stack.synWindow + received)
    b.window = c.wscale ? Math.min(65_535, window >>> me.stack.wscale) : Math.min(window, 65_535)
    let n = 0
    if (c.timestamps) n += writeTimestampOption(b.options, n, tsVal, other.lastTsVal)
    if (sackBlock && c.sack && other.oooStart >= 0) {
      n += writeSackOption(b.options, n, (other.isn + other.oooStart) >>> 0, (other.isn + other.maxEnd) >>> 0)
    }
    b.optionsLength = n
  }
  if ((ev.flags & TCP_RST) !== 0) b.window = 0
  const at = b.tcpPayloadOffset()
  if (ev.len > 0 && ev.chunk !== null) ev.chunk.fill(b.frame, at, ev.chunkOff, ev.len)
  const length = b.finishTcp(ev.len)
  c.engine.writeFrame(ev.time, length, c.truth)
}
