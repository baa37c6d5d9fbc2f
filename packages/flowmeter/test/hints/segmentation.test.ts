/**
 * Hints survive TCP segmentation: real ClientHellos, Stratum lines and an HTTP POST from the
 * fixtures are cut into 2–3 segments (every cut point, or fast-check's choice) and must give
 * the same hints as the unsplit payload; a ClientHello re-framed into two TLS records parses
 * the same; a hello claiming more than 16 KiB is not followed.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import fc from "fast-check"
import { expect } from "vitest"
import { type AppHints, HintCollector, ja3, measureTlsClientHello, NOT_CLIENT_HELLO, parseTlsClientHello } from "../../src/hints/index.js"
import { groupFlows } from "./capture-walker.js"

const TCP = 6

/** The first forward payload of the flow to `dst`, copied out of the capture. */
const firstForward = (capture: string, pick: (key: string) => boolean): Uint8Array => {
  for (const flow of groupFlows(fixture(capture)).values()) {
    if (!pick(flow.key)) continue
    const p = flow.payloads.find((x) => x.forward)
    if (p !== undefined) return p.data.slice(p.start, p.end)
  }
  throw new Error(`no such flow in ${capture}`)
}

/** Feeds `bytes` cut at `cuts` as forward TCP segments (each in its own buffer, as captures give them). */
const feedSegments = (bytes: Uint8Array, cuts: ReadonlyArray<number>, dstPort: number): { hints: AppHints; wantsMore: boolean } => {
  const collector = new HintCollector()
  const points = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]
  let wantsMore = true
  for (let k = 0; k + 1 < points.length; k++) {
    const segment = bytes.slice(points[k], points[k + 1])
    wantsMore = collector.feed(segment, 0, segment.length, true, TCP, 40000, dstPort)
  }
  return { hints: collector.result(), wantsMore }
}

describeFixtures("hints across TCP segment boundaries (real payloads)", () => {
  it("a real ClientHello cut into 2 or 3 segments anywhere gives the unsplit SNI/JA3/JA4", () => {
    // the iQIYI hello: 31 cipher suites, 13 extensions, 517 bytes
    const hello = firstForward("formats/ndpi/sites.pcapng", (k) => k === "TCP 192.168.88.171:55280 124.237.225.21:443")
    const whole = feedSegments(hello, [], 443)
    expect(whole.hints.tlsSni).toBe("msg.qy.net")
    expect(whole.hints.tlsJa4).toBe("t13d3113h2_e8f1e7e78f70_1b3407e2c936")
    expect(whole.wantsMore).toBe(false)
    for (let cut = 1; cut < hello.length; cut++) {
      const split = feedSegments(hello, [cut], 443)
      expect(split.hints, `cut at ${cut}`).toEqual(whole.hints)
      expect(split.wantsMore).toBe(false)
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: hello.length - 1 }), fc.integer({ min: 1, max: hello.length - 1 }), (a, b) => {
        expect(feedSegments(hello, [a, b], 443).hints).toEqual(whole.hints)
      }),
      { numRuns: 300 }
    )
  })

  it("a ClientHello re-framed into two TLS records parses to the same fingerprint; split records too", () => {
    const hello = firstForward("formats/ndpi/sites.pcapng", (k) => k === "TCP 192.168.88.171:55280 124.237.225.21:443")
    const message = hello.subarray(5) // handshake header + body
    const original = parseTlsClientHello(hello, 0, hello.length)
    expect(original).not.toBeNull()
    for (const firstPart of [4, 5, 100, message.length - 1]) {
      const framed = new Uint8Array(message.length + 10)
      framed.set([22, 3, 1, firstPart >> 8, firstPart & 0xff], 0)
      framed.set(message.subarray(0, firstPart), 5)
      const rest = message.length - firstPart
      framed.set([22, 3, 1, rest >> 8, rest & 0xff], 5 + firstPart)
      framed.set(message.subarray(firstPart), 10 + firstPart)
      expect(measureTlsClientHello(framed, 0, framed.length)).toBe(framed.length)
      const reparsed = parseTlsClientHello(framed, 0, framed.length)
      expect(reparsed).toEqual(original)
      expect(feedSegments(framed, [firstPart + 7], 443).hints).toEqual(feedSegments(hello, [], 443).hints)
    }
  })

  it("a ClientHello claiming more than 16 KiB is not followed", () => {
    const hello = firstForward("formats/ndpi/sites.pcapng", (k) => k === "TCP 192.168.88.171:55280 124.237.225.21:443").slice()
    hello[6] = 0x01 // handshake length 0x01xxxx > 16 KiB
    expect(measureTlsClientHello(hello, 0, hello.length)).toBe(NOT_CLIENT_HELLO)
    expect(parseTlsClientHello(hello, 0, hello.length)).toBeNull()
  })

  it("a ClientHello whose first segment is the only one seen leaves tls without a fingerprint, still asking for more", () => {
    const hello = firstForward("formats/ndpi/sites.pcapng", (k) => k === "TCP 192.168.88.171:55280 124.237.225.21:443")
    const collector = new HintCollector()
    expect(collector.feed(hello, 0, 300, true, TCP, 55280, 443)).toBe(true)
    expect(collector.result()).toMatchObject({ appProto: "tls", tlsSni: null, tlsJa3: null })
    expect(collector.feed(hello, 300, hello.length, true, TCP, 55280, 443)).toBe(false)
    expect(collector.result().tlsJa3).toBe(ja3(parseTlsClientHello(hello, 0, hello.length)!))
  })

  it("a Stratum mining.subscribe line cut at every byte still yields its method", () => {
    const line = firstForward("mining/peafowl-stratum.pcap", (k) => k.endsWith("94.23.199.191:3333"))
    expect(Buffer.from(line).toString()).toContain("mining.subscribe")
    for (let cut = 1; cut < line.length; cut++) {
      expect(feedSegments(line, [cut], 3333).hints.jsonrpcMethods, `cut at ${cut}`).toEqual(["mining.subscribe"])
    }
  })

  it("an HTTP JSON-RPC POST with its body in the next segment (or the body cut) still yields host and method", () => {
    const request = firstForward("mining/peafowl-ethereum-js-http.pcap", (k) => k.endsWith(":8545"))
    const text = Buffer.from(request).toString("latin1")
    const bodyStart = text.indexOf("\r\n\r\n") + 4
    expect(bodyStart).toBeGreaterThan(4)
    for (let cut = bodyStart; cut < request.length; cut++) {
      const { hints } = feedSegments(request, [cut], 8545)
      expect(hints.httpHost, `cut at ${cut}`).toBe("localhost:8545")
      expect(hints.jsonrpcMethods, `cut at ${cut}`).toEqual(["web3_clientVersion"])
    }
    // the head itself cut after the Host line: the host is kept, the body still scanned
    const hostLineEnd = text.indexOf("\r\n", text.indexOf("Host:")) + 2
    expect(feedSegments(request, [hostLineEnd], 8545).hints.jsonrpcMethods).toEqual(["web3_clientVersion"])
    expect(feedSegments(request, [hostLineEnd], 8545).hints.httpHost).toBe("localhost:8545")
  })
})
