/**
 * TCP/IP stack profiles: how Linux, Windows, macOS, embedded (lwIP-like) and server stacks
 * look on the wire.
 *
 * Holds: per stack the initial TTL, SYN option layout, MSS, window scale, timestamps and their
 * clock rate, SYN and maximum receive windows, IP ID policy, ephemeral port range and
 * allocation, RTO floor, and delayed-ACK habits.
 * Does not hold: per-host state (counters, ports in use: see `network.ts`).
 */
import type { SynOptionStyle } from "@hashhound/flowmeter"

export const OS_NAMES = ["linux", "windows", "macos", "iot", "android"] as const
export type OsName = (typeof OS_NAMES)[number]

export interface StackProfile {
  readonly name: OsName
  readonly initialTtl: number
  readonly synStyle: SynOptionStyle
  readonly mss: number
  /** window scale shift offered, -1 for none */
  readonly wscale: number
  readonly timestamps: boolean
  readonly sackPermitted: boolean
  /** TCP timestamp clock (ticks per second) */
  readonly tsHz: number
  /** window in the SYN (unscaled) */
  readonly synWindow: number
  /** receive window reached after autotuning (bytes) */
  readonly maxWindow: number
  /** `per_connection`: a counter per socket from a random start (Linux); `global`: one per host (Windows) */
  readonly ipIdMode: "per_connection" | "global"
  /** Linux answers a SYN with IP ID 0 */
  readonly zeroIdSynAck: boolean
  readonly ephemeralMin: number
  readonly ephemeralMax: number
  readonly sequentialPorts: boolean
  /** lower bound of the retransmission timeout (µs) */
  readonly minRtoUs: number
  /** SYN retransmission timeout (µs) */
  readonly synRtoUs: number
  /** delayed-ACK timer (µs) */
  readonly delayedAckUs: number
  /** acknowledges at once when the connection has been quiet (Linux quick-ack) */
  readonly quickAck: boolean
  /** initial congestion window (segments) */
  readonly initCwnd: number
}

export const STACKS: Readonly<Record<OsName, StackProfile>> = {
  linux: {
    name: "linux",
    initialTtl: 64,
    synStyle: "linux",
    mss: 1460,
    wscale: 7,
    timestamps: true,
    sackPermitted: true,
    tsHz: 1000,
    synWindow: 64_240,
    maxWindow: 3 << 20,
    ipIdMode: "per_connection",
    zeroIdSynAck: true,
    ephemeralMin: 32_768,
    ephemeralMax: 60_999,
    sequentialPorts: false,
    minRtoUs: 200_000,
    synRtoUs: 1_000_000,
    delayedAckUs: 40_000,
    quickAck: true,
    initCwnd: 10
  },
  android: {
    name: "android",
    initialTtl: 64,
    synStyle: "linux",
    mss: 1400,
    wscale: 9,
    timestamps: true,
    sackPermitted: true,
    tsHz: 1000,
    synWindow: 65_535,
    maxWindow: 2 << 20,
    ipIdMode: "per_connection",
    zeroIdSynAck: true,
    ephemeralMin: 32_768,
    ephemeralMax: 60_999,
    sequentialPorts: false,
    minRtoUs: 200_000,
    synRtoUs: 1_000_000,
    delayedAckUs: 40_000,
    quickAck: true,
    initCwnd: 10
  },
  windows: {
    name: "windows",
    initialTtl: 128,
    synStyle: "windows",
    mss: 1460,
    wscale: 8,
    timestamps: false,
    sackPermitted: true,
    tsHz: 1000,
    synWindow: 64_240,
    maxWindow: 4 << 20,
    ipIdMode: "global",
    zeroIdSynAck: false,
    ephemeralMin: 49_152,
    ephemeralMax: 65_535,
    sequentialPorts: true,
    minRtoUs: 300_000,
    synRtoUs: 3_000_000,
    delayedAckUs: 200_000,
    quickAck: false,
    initCwnd: 10
  },
  macos: {
    name: "macos",
    initialTtl: 64,
    synStyle: "macos",
    mss: 1460,
    wscale: 6,
    timestamps: true,
    sackPermitted: true,
    tsHz: 1000,
    synWindow: 65_535,
    maxWindow: 4 << 20,
    ipIdMode: "global",
    zeroIdSynAck: false,
    ephemeralMin: 49_152,
    ephemeralMax: 65_535,
    sequentialPorts: false,
    minRtoUs: 200_000,
    synRtoUs: 1_000_000,
    delayedAckUs: 100_000,
    quickAck: false,
    initCwnd: 10
  },
  iot: {
    name: "iot",
    initialTtl: 255,
    synStyle: "bare",
    mss: 1460,
    wscale: -1,
    timestamps: false,
    sackPermitted: false,
    tsHz: 1000,
    synWindow: 5_840,
    maxWindow: 5_840,
    ipIdMode: "global",
    zeroIdSynAck: false,
    ephemeralMin: 49_152,
    ephemeralMax: 65_535,
    sequentialPorts: true,
    minRtoUs: 1_000_000,
    synRtoUs: 3_000_000,
    delayedAckUs: 250_000,
    quickAck: false,
    initCwnd: 4
  }
}
