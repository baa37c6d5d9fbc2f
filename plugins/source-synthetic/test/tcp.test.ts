import { describe, expect, it } from "@effect/vitest"
import { PcapWriter } from "@hashhound/flowmeter"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Engine, type FlowTruth } from "../src/sim/engine.js"
import { Rng } from "../src/sim/prng.js"
import { STACKS } from "../src/sim/stacks.js"
import { literal } from "../src/sim/stream-chunks.js"
import { C2S, IpIdCounter, S2C, TcpConnection, type TcpEndpoint } from "../src/sim/tcp.js"

interface Segment {
  readonly timeUs: number
  readonly fromClient: boolean
  readonly flags: number
  readonly payload: string
}

/** The TCP segments of a classic LE µs pcap of Ethernet/IPv4 frames (client: 10.0.0.1). */
const segments = (path: string): ReadonlyArray<Segment> => {
  const file = readFileSync(path)
  const out: Array<Segment> = []
  for (let at = 24; at + 16 <= file.length; ) {
    const timeUs = file.readUInt32LE(at) * 1e6 + file.readUInt32LE(at + 4)
    const caplen = file.readUInt32LE(at + 8)
    const frame = file.subarray(at + 16, at + 16 + caplen)
    at += 16 + caplen
    const ip = 14
    const ihl = (frame[ip]! & 0x0f) * 4
    const total = frame.readUInt16BE(ip + 2)
    const tcp = ip + ihl
    const dataOff = (frame[tcp + 12]! >> 4) * 4
    out.push({
      timeUs,
      fromClient: frame.readUInt32BE(ip + 12) === 0x0a000001,
      flags: frame[tcp + 13]!,
      payload: frame.subarray(tcp + dataOff, ip + total).toString("latin1")
    })
  }
  return out
}

const endpoint = (ip4: number, port: number, mac: number, ttl: number): TcpEndpoint => ({
  ip4,
  ip6: null,
  port,
  mac: Uint8Array.of(2, 0, 0, 0, 0, mac),
  ttl,
  stack: STACKS.linux,
  ipIds: new IpIdCounter(1)
})

/** One lossless connection on a 20 ms path; `script` writes once it is open; runs 30 s. */
const simulate = (script: (conn: TcpConnection, openUs: number) => void): ReadonlyArray<Segment> => {
  const path = join(mkdtempSync(join(tmpdir(), "hh-tcp-")), "x.pcap")
  const writer = PcapWriter.open(path, { precision: "us" })
  const engine = new Engine(writer, { write: () => {} }, 1_700_000_000, 30e6)
  const truth: FlowTruth = { srcIp: "10.0.0.1", srcPort: 40000, dstIp: "10.0.0.2", dstPort: 3333, protocol: 6, label: "mining", behaviour: "test", firstUs: -1, lastUs: -1, done: false }
  const conn = new TcpConnection(
    engine,
    new Rng(7),
    endpoint(0x0a000001, 40000, 1, 64),
    endpoint(0x0a000002, 3333, 2, 50),
    { nearBaseUs: 200, nearJitterUs: 0, farBaseUs: 20_000, farJitterUs: 0, lossC2S: 0, lossS2C: 0, upBps: 100e6, downBps: 100e6 },
    truth
  )
  conn.onOpen = (t) => script(conn, t)
  conn.connect(1_000)
  engine.run(1e6)
  writer.close()
  return segments(path)
}

const dataTimes = (segs: ReadonlyArray<Segment>, fromClient: boolean): Map<string, number> =>
  new Map(segs.filter((s) => s.fromClient === fromClient && s.payload !== "").map((s) => [s.payload, s.timeUs - segs[0]!.timeUs]))

describe("simulated TCP", () => {
  it("sends each write at its own time, not with data written earlier for an earlier time", () => {
    // keystrokes written in one go for 150 ms apart leave 150 ms apart, not as one burst
    const segs = simulate((conn, t) => {
      for (let i = 0; i < 5; i++) conn.write(C2S, t + 1e6 + i * 150_000, literal(`key${i}`))
    })
    const times = dataTimes(segs, true)
    expect([...times.keys()]).toEqual(["key0", "key1", "key2", "key3", "key4"])
    const t = [...times.values()]
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeCloseTo(150_000, -2)
  })

  it("does not hold back a write behind one queued for later (a long poll answered later)", () => {
    // the server holds a long-poll answer for 20 s; a push written meanwhile for 2 s leaves at 2 s
    const segs = simulate((conn, t) => {
      conn.write(S2C, t + 20e6, literal("long-poll-answer"))
      conn.write(S2C, t + 2e6, literal("push"))
    })
    const times = dataTimes(segs, false)
    expect([...times.keys()]).toEqual(["push", "long-poll-answer"])
    expect(times.get("long-poll-answer")! - times.get("push")!).toBeCloseTo(18e6, -3)
  })

  it("closes at the time asked, after data written for earlier times and before none written later", () => {
    const segs = simulate((conn, t) => {
      conn.close(C2S, t + 3e6)
      conn.write(C2S, t + 1e6, literal("last-words"))
      conn.write(C2S, t + 5e6, literal("after-fin"))
    })
    const client = segs.filter((s) => s.fromClient)
    const fin = client.findIndex((s) => (s.flags & 0x01) !== 0)
    expect(fin).toBeGreaterThan(0)
    expect(client.slice(0, fin).some((s) => s.payload === "last-words")).toBe(true)
    expect(client.some((s) => s.payload === "after-fin")).toBe(false)
    expect(client[fin]!.timeUs - client.find((s) => s.payload === "last-words")!.timeUs).toBeCloseTo(2e6, -3)
  })
})
