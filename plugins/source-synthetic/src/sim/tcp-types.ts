/**
 * The shapes a simulated TCP connection is made of: directions, endpoints as the capture shows
 * them, path delays and loss, and the shared IP ID counter.
 *
 * Holds: `C2S`/`S2C`, `IpIdCounter`, `TcpEndpoint`, `PathModel`.
 * Does not hold: behaviour (see `tcp.ts`).
 */
import type { StackProfile } from "./stacks.js"

export const C2S = 0
export const S2C = 1

/** A shared IP ID counter (one per host for `global` stacks). */
export class IpIdCounter {
  constructor(public value: number) {}
  next(): number {
    this.value = (this.value + 1) & 0xffff
    return this.value
  }
}

/** One side of a connection as the capture shows it (post-NAT for inside hosts). */
export interface TcpEndpoint {
  readonly ip4: number
  readonly ip6: Uint8Array | null
  readonly port: number
  /** source MAC of this side's frames at the capture point */
  readonly mac: Uint8Array
  /** TTL / hop limit of this side's packets at the capture point */
  readonly ttl: number
  readonly stack: StackProfile
  readonly ipIds: IpIdCounter
}

/** Delays and loss between the capture point and each side (µs, probabilities, bit/s). */
export interface PathModel {
  readonly nearBaseUs: number
  readonly nearJitterUs: number
  readonly farBaseUs: number
  readonly farJitterUs: number
  readonly lossC2S: number
  readonly lossS2C: number
  readonly upBps: number
  readonly downBps: number
}
