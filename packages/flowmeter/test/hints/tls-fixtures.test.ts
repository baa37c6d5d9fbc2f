/**
 * TLS/DTLS hints on real captures, checked against nDPI's own expected results for the same
 * files (ntop/nDPI@3b1286a `tests/cfgs/default/result/*.out`), QUIC's included: SNI and JA3 must equal nDPI's;
 * JA4 must equal nDPI's or differ only by one of the documented nDPI deviations from the
 * FoxIO specification (ndpi-ja4-quirks.ts), and the list of such flows is pinned here.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { expect } from "vitest"
import { type ClientHello, looksLikeQuicInitial, parseDtlsClientHello, parseTlsClientHello, QuicInitialReader } from "../../src/hints/index.js"
import { collectFlowHints, groupFlows } from "./capture-walker.js"
import { explainNdpiJa4, type NdpiQuirk } from "./ndpi-ja4-quirks.js"
import { readNdpiFlows } from "./ndpi-results.js"

/** A flow table hands the collector about the first 10 payload packets. */
const BUDGET = 10

interface Comparison {
  readonly compared: number
  readonly exactJa4: number
  readonly quic: ReadonlyArray<number>
  readonly ja4Deviations: ReadonlyArray<{ line: number; quirks: ReadonlyArray<NdpiQuirk> | null }>
}

const firstClientHello = (capture: string, lookupKey: string): ClientHello | null => {
  const flow = groupFlows(fixture(capture)).get(lookupKey)
  const first = flow?.payloads.find((p) => p.forward)
  if (flow === undefined || first === undefined) return null
  if (flow.protocol === 6) return parseTlsClientHello(first.data, first.start, first.end)
  if (!looksLikeQuicInitial(first.data, first.start, first.end)) return parseDtlsClientHello(first.data, first.start, first.end)
  const reader = new QuicInitialReader()
  for (const p of flow.payloads.filter((x) => x.forward)) {
    const hello = reader.feed(p.data, p.start, p.end)
    if (hello !== null || reader.finished) return hello
  }
  return null
}

const compareWithNdpi = (capture: string): Comparison => {
  const ours = collectFlowHints(fixture(capture), BUDGET)
  const quic: Array<number> = []
  const ja4Deviations: Array<{ line: number; quirks: ReadonlyArray<NdpiQuirk> | null }> = []
  let compared = 0
  let exactJa4 = 0
  for (const ndpi of readNdpiFlows(fixture(`${capture}.out.txt`))) {
    if (ndpi.ja3c === null && ndpi.ja4 === null) continue
    const flow = ours.get(ndpi.lookupKey)
    expect(flow, `nDPI flow ${ndpi.line} ${ndpi.a} ${ndpi.b} is in the capture`).toBeDefined()
    if (flow === undefined) continue
    // QUIC: the ClientHello is inside the client's Initial packets, which the hints decrypt
    const isQuic = ndpi.proto.startsWith("188") || ndpi.ja4?.startsWith("q") === true
    if (isQuic) quic.push(ndpi.line)
    compared++
    const where = `nDPI flow ${ndpi.line} (${ndpi.a} ${ndpi.b})`
    expect(flow.hints.appProto, where).toBe(isQuic ? "quic" : "tls")
    expect(flow.hints.tlsSni, where).toBe(ndpi.hostname)
    expect(flow.hints.tlsJa3, where).toBe(ndpi.ja3c)
    const ja4 = flow.hints.tlsJa4
    expect(ja4, where).not.toBeNull()
    if (ja4 === null || ndpi.ja4 === null) continue
    if (ja4 === ndpi.ja4) {
      exactJa4++
      continue
    }
    const hello = firstClientHello(capture, ndpi.lookupKey)
    expect(hello, where).not.toBeNull()
    if (hello !== null) ja4Deviations.push({ line: ndpi.line, quirks: explainNdpiJa4(ndpi.ja4, ja4, hello) })
  }
  return { compared, exactJa4, quic, ja4Deviations }
}

describeFixtures("TLS hints against nDPI's results", () => {
  it("sites.pcapng: SNI and JA3 of all 55 TLS-over-TCP and 4 QUIC flows equal nDPI's, JA4 of 54 (nDPI's ALPN truncation, and its QUIC ALPN)", () => {
    const result = compareWithNdpi("formats/ndpi/sites.pcapng")
    expect(result.compared).toBe(59)
    expect(result.exactJa4).toBe(54)
    // flow 10 offers only "http/1.1": spec JA4 t13d1713h1…, nDPI t13d1713ht…; the QUIC hellos offer h3: spec …h3, nDPI …h0
    expect(result.ja4Deviations).toEqual([
      { line: 10, quirks: ["alpn"] },
      { line: 32, quirks: ["quic-alpn"] },
      { line: 33, quirks: ["quic-alpn"] },
      { line: 58, quirks: ["quic-alpn"] },
      { line: 59, quirks: ["quic-alpn"] }
    ])
    expect(result.quic).toEqual([32, 33, 58, 59])
  })

  it("KakaoTalk_talk.pcap: SNI-less TLS 1.0 hellos; JA3 equal, JA4 differs only in nDPI's SNI letter", () => {
    const result = compareWithNdpi("formats/ndpi/KakaoTalk_talk.pcap")
    expect(result.compared).toBe(3)
    expect(result.exactJa4).toBe(0)
    expect(result.ja4Deviations).toEqual([
      { line: 3, quirks: ["sni"] },
      { line: 4, quirks: ["sni"] },
      { line: 5, quirks: ["sni"] }
    ])
  })

  it("dtls.pcap: DTLS 1.2/1.3 ClientHellos (one inside GTP-U) give nDPI's JA3; JA4 differs in SNI letter and DTLS 1.3 version", () => {
    const result = compareWithNdpi("formats/ndpi/dtls.pcap")
    expect(result.compared).toBe(3)
    expect(result.ja4Deviations).toEqual([
      { line: 1, quirks: ["sni", "version"] },
      { line: 2, quirks: ["sni"] },
      { line: 3, quirks: ["sni"] }
    ])
    const hints = [...collectFlowHints(fixture("formats/ndpi/dtls.pcap"), BUDGET).values()].map((f) => f.hints)
    expect(hints.map((h) => h.tlsJa4).sort()).toEqual([
      "dd2i120700_7c0e62f61317_d9dd6182da81",
      "dd2i160700_7c8d7d5e37b2_ea2cef574603",
      "dd3i270600_991e33d7eb74_10f9deb96590"
    ])
  })

  it("TLS records without a ClientHello in view (capture began mid-connection) still read as tls", () => {
    const ours = collectFlowHints(fixture("formats/ndpi/KakaoTalk_talk.pcap"), BUDGET)
    const ndpi = readNdpiFlows(fixture("formats/ndpi/KakaoTalk_talk.pcap.out.txt"))
    // flows 15 (application data to :5228) and 17 (an alert to :443): nDPI says TLS, no JA3
    for (const line of [15, 17]) {
      const flow = ours.get(ndpi.find((f) => f.line === line)?.lookupKey ?? "")
      expect(flow?.hints.appProto).toBe("tls")
      expect(flow?.hints.tlsJa3).toBeNull()
    }
  })
})
