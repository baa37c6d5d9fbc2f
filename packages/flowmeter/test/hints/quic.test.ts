/**
 * QUIC hints: the ClientHello inside the client's Initial packets (RFC 9001 §5) gives the flow
 * `app_proto` quic, its SNI, JA3 and JA4 (`q…`). Real captures (quic_handshake.pcap, and the four
 * QUIC flows of sites.pcapng in tls-fixtures.test.ts and ndpi-compare.test.ts), and Initials made
 * here from a real TCP ClientHello: versions 1 and 2, CRYPTO frames shuffled among PING, ACK and
 * PADDING (as Chrome sends them), a hello over two packets, coalesced packets; tshark decrypts
 * the same packets to the same SNI. A damaged or cut Initial gives no hint and never throws.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, hasCommand, hasFixtures } from "@hashhound/testkit"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import fc from "fast-check"
import { describe, expect } from "vitest"
import { type AppHints, HintCollector, ja3, ja4, parseTlsClientHello, QuicInitialReader } from "../../src/hints/index.js"
import { collectCapture } from "../helpers/collect.js"
import { ether, ipv4, pcap, udp } from "../helpers/frames.js"
import { ackFrame, cryptoFrame, paddingFrames, pingFrame, QUIC_V1, QUIC_V2, quicInitial } from "../helpers/quic.js"
import { tempFile } from "../helpers/temp-files.js"
import { groupFlows } from "./capture-walker.js"

const UDP = 17
const RUNS = Math.max(1_000, Number(process.env["HASHHOUND_FUZZ_RUNS"] ?? 0))
const DCID = Buffer.from("8394c8f03e515708", "hex")

/** The iQIYI ClientHello of sites.pcapng (a TCP flow), without its 5-byte TLS record header. */
const tcpHello = (): Buffer => {
  const flow = groupFlows(fixture("formats/ndpi/sites.pcapng")).get("TCP 124.237.225.21:443 192.168.88.171:55280")!
  const p = flow.payloads.find((x) => x.forward)!
  return Buffer.from(p.data.subarray(p.start + 5, p.end))
}

/** What the same hello gives over TCP, with JA4's transport letter `q`. */
const expectedOf = (message: Buffer) => {
  const record = Buffer.concat([Buffer.from([22, 3, 1, message.length >> 8, message.length & 0xff]), message])
  const hello = parseTlsClientHello(record, 0, record.length)!
  return { tlsSni: hello.sni, tlsJa3: ja3(hello), tlsJa4: ja4(hello, "q") }
}

/** Feed client datagrams (and server ones, `false`) to a collector; its hints. */
const feed = (datagrams: ReadonlyArray<Buffer | readonly [Buffer, boolean]>): AppHints => {
  const collector = new HintCollector()
  for (const entry of datagrams) {
    const [datagram, forward] = Buffer.isBuffer(entry) ? [entry, true] : entry
    collector.feed(datagram, 0, datagram.length, forward, UDP, forward ? 50000 : 443, forward ? 443 : 50000)
  }
  return collector.result()
}

/** A datagram padded to 1,200 bytes, as RFC 9000 §14.1 asks of a client's Initial. */
const padded = (frames: Buffer, version = QUIC_V1, packetNumber = 0): Buffer =>
  quicInitial({ version, dcid: DCID, packetNumber, frames: Buffer.concat([frames, paddingFrames(Math.max(0, 1150 - frames.length))]) })

describeFixtures("QUIC Initial packets made from a real ClientHello", () => {
  it("one Initial, QUIC version 1 or 2: the hello's SNI, JA3 and JA4 (q), app_proto quic", () => {
    const message = tcpHello()
    const expected = expectedOf(message)
    expect(expected.tlsSni).toBe("msg.qy.net")
    for (const version of [QUIC_V1, QUIC_V2]) {
      const hints = feed([padded(cryptoFrame(0, message), version)])
      expect(hints, version.toString(16)).toMatchObject({ appProto: "quic", ...expected })
    }
  })

  it("CRYPTO frames out of order among PING, ACK and PADDING, and a hello over two Initials", () => {
    const message = tcpHello()
    const expected = expectedOf(message)
    const [a, b, c] = [message.subarray(0, 100), message.subarray(100, 300), message.subarray(300)]
    const shuffled = Buffer.concat([pingFrame(), cryptoFrame(300, c), ackFrame(), paddingFrames(3), cryptoFrame(0, a), ackFrame(true), pingFrame(), cryptoFrame(100, b)])
    expect(feed([padded(shuffled)])).toMatchObject({ appProto: "quic", ...expected })
    // the second half first: nothing until the first arrives
    const collector = new HintCollector()
    const second = padded(cryptoFrame(250, message.subarray(250)), QUIC_V1, 1)
    const first = padded(cryptoFrame(0, message.subarray(0, 250)), QUIC_V1, 0)
    collector.feed(second, 0, second.length, true, UDP, 50000, 443)
    expect(collector.result().tlsSni).toBeNull()
    expect(collector.feed(first, 0, first.length, true, UDP, 50000, 443)).toBe(false)
    expect(collector.result()).toMatchObject({ appProto: "quic", ...expected })
  })

  it("coalesced packets: two Initials in one datagram, and an Initial before a 0-RTT packet", () => {
    const message = tcpHello()
    const expected = expectedOf(message)
    const two = Buffer.concat([
      quicInitial({ dcid: DCID, packetNumber: 0, frames: cryptoFrame(0, message.subarray(0, 200)) }),
      quicInitial({ dcid: DCID, packetNumber: 1, frames: cryptoFrame(200, message.subarray(200)) })
    ])
    expect(feed([two])).toMatchObject({ appProto: "quic", ...expected })
    // a 0-RTT long header (type 1) with a 20-byte body after the Initial
    const zeroRtt = Buffer.concat([Buffer.from([0xd1, 0, 0, 0, 1, 8]), DCID, Buffer.from([0, 20]), Buffer.alloc(20, 0x77)])
    expect(feed([Buffer.concat([quicInitial({ dcid: DCID, frames: cryptoFrame(0, message) }), zeroRtt])])).toMatchObject(expected)
  })

  it("a damaged, cut or server-sent Initial gives no hint", () => {
    const message = tcpHello()
    const whole = padded(cryptoFrame(0, message))
    const damaged = Buffer.from(whole)
    damaged[200]! ^= 0x01
    expect(feed([damaged])).toMatchObject({ appProto: null, tlsSni: null, tlsJa3: null })
    expect(feed([whole.subarray(0, 600)])).toMatchObject({ appProto: null, tlsSni: null })
    // an Initial from the server's side is not the client's hello
    expect(feed([[whole, false]])).toMatchObject({ appProto: null, tlsSni: null })
  })

  it(`mutated and cut Initials never throw, and a hello found is the real one or well-formed (${RUNS} cases)`, () => {
    const message = tcpHello()
    const expected = expectedOf(message)
    const datagrams = [
      padded(cryptoFrame(0, message)),
      Buffer.concat([quicInitial({ dcid: DCID, frames: cryptoFrame(0, message.subarray(0, 200)) }), quicInitial({ dcid: DCID, packetNumber: 1, frames: cryptoFrame(200, message.subarray(200)) })])
    ]
    fc.assert(
      fc.property(
        fc.nat({ max: datagrams.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (which, flips, cut) => {
          const bytes = Buffer.from(datagrams[which]!)
          for (const [at, value] of flips) bytes[at % bytes.length] = value
          const reader = new QuicInitialReader()
          const hello = reader.feed(bytes, 0, Math.floor(cut * bytes.length))
          // AEAD authenticates the hello: any hello that comes out is the one sent
          if (hello !== null) expect(hello.sni).toBe(expected.tlsSni)
        }
      ),
      { numRuns: RUNS }
    )
  })
})

const TSHARK = hasCommand("tshark")

describeFixtures("QUIC hints on captures", () => {
  it.effect("quic_handshake.pcap: SNI localhost; the truncated copy gives no hint", () =>
    Effect.gen(function* () {
      const whole = yield* collectCapture(fixture("formats/tcpdump/quic_handshake.pcap"))
      expect(whole.flows.map((f) => [f["app_proto"], f["tls_sni"], String(f["tls_ja4"]).slice(0, 10)])).toEqual([["quic", "localhost", "q13d0311h3"]])
      const cut = yield* collectCapture(fixture("formats/tcpdump/quic_handshake_truncated.pcap"))
      expect(cut.flows.map((f) => [f["app_proto"], f["tls_sni"]])).toEqual([[null, null]])
    }))

  it.effect.skipIf(!TSHARK || !hasFixtures())(
    `tshark decrypts the Initials made here to the same SNI as the meter${TSHARK ? "" : " [skipped: tshark is not installed (Debian: tshark)]"}`,
    () =>
      Effect.gen(function* () {
        const message = tcpHello()
        const frames = [
          padded(cryptoFrame(0, message.subarray(0, 250)), QUIC_V1, 0),
          padded(cryptoFrame(250, message.subarray(250)), QUIC_V1, 1)
        ].map((payload, i) => ({ t: 1_700_000_000 + i * 0.001, frame: ether(ipv4("10.0.0.5", "198.51.100.9", UDP, udp(50000, 443, payload))) }))
        const path = tempFile(pcap(frames))
        const { flows } = yield* collectCapture(path)
        expect(flows.map((f) => [f["app_proto"], f["tls_sni"]])).toEqual([["quic", "msg.qy.net"]])
        const names = execFileSync("tshark", ["-n", "-r", path, "-T", "fields", "-e", "tls.handshake.extensions_server_name"], { encoding: "utf8" })
        expect(names.split("\n").filter((line) => line !== "")).toEqual(["msg.qy.net"])
      })
  )
})

describe("QUIC reader limits", () => {
  it("a datagram that only looks like an Initial (wrong keys) ends the reading at once", () => {
    const reader = new QuicInitialReader()
    const bytes = Buffer.concat([Buffer.from([0xc0, 0, 0, 0, 1, 8]), DCID, Buffer.from([0, 0, 0x44, 0x00]), Buffer.alloc(1024, 0x5a)])
    expect(reader.feed(bytes, 0, bytes.length)).toBeNull()
    expect(reader.finished).toBe(true)
    expect(reader.decrypted).toBe(false)
  })
})
