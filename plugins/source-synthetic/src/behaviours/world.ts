/**
 * The simulated network around the behaviours: hosts (with stacks, IP ID counters, ephemeral
 * ports, optional NAT), servers (with their path delays, loss and hop counts), the resolver,
 * and the capture point at the site's edge.
 *
 * Holds: `Host`, `Server`, `Nat` and `World`, which opens TCP connections and UDP flows with
 * the addresses, ports, MACs and TTLs the capture shows (post-NAT for hosts behind one), makes
 * each flow's ground-truth record, and answers name lookups with real DNS exchanges, cached per
 * host for the record's TTL.
 * Does not hold: what the flows carry (see the behaviour modules).
 */
import { formatIpv4, formatIpv6 } from "@hashhound/flowmeter"
import type { Engine, FlowTruth } from "../sim/engine.js"
import type { Rng } from "../sim/prng.js"
import type { StackProfile } from "../sim/stacks.js"
import { IpIdCounter, type PathModel, TcpConnection, type TcpEndpoint } from "../sim/tcp.js"
import { UdpFlow } from "../sim/udp.js"
import { dnsAnswer, dnsQuery } from "../proto/dns.js"

/** Hands out ephemeral ports: a host, or a NAT gateway for the hosts behind it. */
export interface PortOwner {
  nextPort: number
  /** port → capture time it was last handed out */
  readonly recentPorts: Map<number, number>
}

/** How long a handed-out port is not used again (µs): beyond TIME_WAIT and flow idle timeouts. */
const PORT_QUIET_US = 300e6

export interface Nat extends PortOwner {
  readonly name: string
  readonly publicIp4: number
  readonly mac: Uint8Array
  readonly sequential: boolean
  readonly portMin: number
  readonly portMax: number
}

export interface Host extends PortOwner {
  readonly name: string
  readonly group: string
  readonly ip4: number
  readonly ip6: Uint8Array | null
  readonly mac: Uint8Array
  readonly stack: StackProfile
  readonly ipIds: IpIdCounter
  readonly nat: Nat | null
  readonly upBps: number
  readonly downBps: number
  /** share of connections made over IPv6 when the server has an address */
  readonly ipv6Share: number
  readonly dnsCache: Map<string, number>
}

export interface Server {
  readonly name: string
  readonly ip4: number
  readonly ip6: Uint8Array | null
  readonly stack: StackProfile
  readonly ipIds: IpIdCounter
  readonly dnsTtlS: number
  /** sample the base round trip capture point ↔ server (µs) */
  readonly farRttUs: (rng: Rng) => number
  readonly jitterUs: (rng: Rng) => number
  readonly hops: (rng: Rng) => number
  readonly loss: number
}

export interface WorldOptions {
  readonly gatewayMac: Uint8Array
  readonly nearRttUs: (rng: Rng) => number
  readonly lanHops: number
  readonly extraLoss: number
  readonly resolver: Server
  /** capture start, µs since the epoch (for NTP and DNS content) */
  readonly epochStartUs: number
}

export interface FlowLabel {
  readonly label: "mining" | "benign"
  readonly behaviour: string
}

const ipText = (ip4: number, ip6: Uint8Array | null, v6: boolean): string =>
  v6 && ip6 !== null ? formatIpv6(ip6) : formatIpv4(ip4)

export class World {
  constructor(
    readonly engine: Engine,
    readonly options: WorldOptions
  ) {}

  /**
   * A port from [min, max] not handed out in the last PORT_QUIET_US (so a new connection never
   * reuses a recent 5-tuple, as stacks avoid ports in TIME_WAIT); sequential or random.
   */
  private freshPort(owner: PortOwner, rng: Rng, min: number, max: number, sequential: boolean): number {
    const now = this.engine.now
    let port = min
    for (let attempt = 0; attempt < 32; attempt++) {
      if (sequential) {
        owner.nextPort = owner.nextPort >= max || owner.nextPort < min ? min : owner.nextPort + 1
        port = owner.nextPort
      } else port = rng.int(min, max)
      const last = owner.recentPorts.get(port)
      if (last === undefined || now - last > PORT_QUIET_US) break
    }
    if (owner.recentPorts.size > 8192) {
      for (const [p, t] of owner.recentPorts) if (now - t > PORT_QUIET_US) owner.recentPorts.delete(p)
    }
    owner.recentPorts.set(port, now)
    return port
  }

  private visiblePort(host: Host, rng: Rng, fixed?: number): number {
    const { ephemeralMin, ephemeralMax, sequentialPorts } = host.stack
    const inner = fixed ?? this.freshPort(host, rng, ephemeralMin, ephemeralMax, sequentialPorts)
    const nat = host.nat
    if (nat === null) return inner
    return this.freshPort(nat, rng, nat.portMin, nat.portMax, nat.sequential)
  }

  private endpoints(host: Host, server: Server, rng: Rng, serverPort: number, clientPort?: number): {
    client: TcpEndpoint
    server: TcpEndpoint
    v6: boolean
  } {
    const v6 = host.nat === null && host.ip6 !== null && server.ip6 !== null && rng.chance(host.ipv6Share)
    const nat = host.nat
    const client: TcpEndpoint = {
      ip4: nat === null ? host.ip4 : nat.publicIp4,
      ip6: v6 ? host.ip6 : null,
      port: this.visiblePort(host, rng, clientPort),
      mac: nat === null ? host.mac : nat.mac,
      ttl: host.stack.initialTtl - this.options.lanHops - (nat === null ? 0 : 1),
      stack: host.stack,
      ipIds: host.ipIds
    }
    const far: TcpEndpoint = {
      ip4: server.ip4,
      ip6: v6 ? server.ip6 : null,
      port: serverPort,
      mac: this.options.gatewayMac,
      ttl: server.stack.initialTtl - Math.max(1, Math.round(server.hops(rng))),
      stack: server.stack,
      ipIds: server.ipIds
    }
    return { client, server: far, v6 }
  }

  private truth(client: TcpEndpoint, server: TcpEndpoint, v6: boolean, protocol: number, label: FlowLabel, host: Host, target: Server): FlowTruth {
    return {
      srcIp: ipText(client.ip4, host.ip6, v6),
      srcPort: client.port,
      dstIp: ipText(server.ip4, target.ip6, v6),
      dstPort: server.port,
      protocol,
      label: label.label,
      behaviour: label.behaviour,
      firstUs: -1,
      lastUs: -1,
      done: false
    }
  }

  private path(host: Host, server: Server, rng: Rng): PathModel {
    const loss = Math.min(0.5, server.loss + this.options.extraLoss)
    const near = this.options.nearRttUs(rng)
    return {
      nearBaseUs: near,
      nearJitterUs: Math.max(5, near * 0.1),
      farBaseUs: server.farRttUs(rng),
      farJitterUs: server.jitterUs(rng),
      lossC2S: loss * 0.4,
      lossS2C: loss,
      upBps: host.upBps,
      downBps: host.downBps
    }
  }

  /** A new TCP connection from `host` to `server:port` (not yet started: call `connect`). */
  tcp(host: Host, server: Server, port: number, rng: Rng, label: FlowLabel): TcpConnection {
    const ends = this.endpoints(host, server, rng, port)
    const truth = this.truth(ends.client, ends.server, ends.v6, 6, label, host, server)
    return new TcpConnection(this.engine, rng.fork("tcp"), ends.client, ends.server, this.path(host, server, rng), truth)
  }

  /** A new UDP flow from `host` to `server:port`; `clientPort` fixes the source port (NTP's 123). */
  udp(host: Host, server: Server, port: number, rng: Rng, label: FlowLabel, clientPort?: number): { flow: UdpFlow; path: PathModel } {
    const ends = this.endpoints(host, server, rng, port, clientPort)
    const truth = this.truth(ends.client, ends.server, ends.v6, 17, label, host, server)
    return { flow: new UdpFlow(this.engine, ends.client, ends.server, truth, rng.int(0, 0xffff)), path: this.path(host, server, rng) }
  }

  /**
   * Resolve `name` for `host` at `timeUs`: from the host's cache, or with a DNS query to the
   * resolver (an A query, sometimes followed by AAAA). Calls `then` when the answer is in.
   */
  resolve(host: Host, target: Server, rng: Rng, timeUs: number, then: (timeUs: number) => void): void {
    const expiry = host.dnsCache.get(target.name)
    if (expiry !== undefined && expiry > timeUs) {
      this.engine.at(timeUs, then)
      return
    }
    const resolver = this.options.resolver
    const { flow, path } = this.udp(host, resolver, 53, rng, { label: "benign", behaviour: "dns" })
    const id = rng.int(0, 0xffff)
    const answerUs = timeUs + path.nearBaseUs + path.farBaseUs * (rng.chance(0.7) ? 0.05 : 1) + rng.exponential(2_000)
    flow.send(0, timeUs, dnsQuery(id, target.name, 1))
    const address = Buffer.alloc(4)
    address.writeUInt32BE(target.ip4 >>> 0, 0)
    flow.send(1, answerUs, dnsAnswer(id, target.name, 1, [address], target.dnsTtlS))
    flow.end()
    host.dnsCache.set(target.name, timeUs + target.dnsTtlS * 1e6)
    this.engine.at(answerUs + path.nearBaseUs * 0.5, then)
  }
}
