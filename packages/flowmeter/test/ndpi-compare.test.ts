/**
 * Flow-by-flow comparison with nDPI's own expected results (`*.out`, from nDPI's test suite).
 *
 * Documented rules behind the differences (each difference found must be explained by one):
 * - BYTES: ndpiReader counts each frame's wire length (pcap `orig_len`, link header and Ethernet
 *   padding included); the catalogue counts IP-layer bytes. With `byteLayer: "link"` the counts
 *   must be equal; with the default, nDPI − ours = link header × packets + padding.
 * - TIMEOUTS: ndpiReader runs its idle-flow scan only for live captures (`if(live_capture)` around
 *   `node_idle_scan_walker` in ndpiReader.c), so a file gives one flow per 5-tuple; we compare
 *   with idle/active timeouts switched off.
 * - QINQ: of a frame's two 802.1Q tags nDPI keeps the inner one (it overwrites the id at each
 *   tag); the meter keeps the outer one, as Zeek's `vlan` does. dtls.pcap's GTP-U frames carry
 *   3243 outside 10. (Both decode the GTP-U tunnel and report the flow inside it.)
 * - IPV6_TEXT: nDPI prints addresses with inet_ntop, which compresses a single zero group
 *   (`b00c::43fe`); we print RFC 5952 text (`b00c:0:43fe`). Addresses are compared as bytes.
 * - JA4_QUIC_ALPN: for a QUIC hello nDPI writes `0` as the ALPN's second character (`h3` gives
 *   `h0`); the FoxIO specification's and Suricata's example for the same hello read `h3`. (Both
 *   decrypt the client's QUIC Initial packets for SNI, JA3 and JA4.)
 * - HOSTNAME: nDPI's `Hostname/SNI` field is the TLS SNI, else the HTTP Host, else the DNS query.
 * - JA4_SNI_FLAG: JA4 (FoxIO spec) writes `i` when the ClientHello has no SNI extension; nDPI's
 *   result files show `d` for such hellos.
 * - JA4_ALPN: JA4 takes the first and last characters of the first ALPN value (`http/1.1` →
 *   `h1`); nDPI takes its first two (`ht`).
 * - JA4_DTLS_VERSION: JA4 takes the highest `supported_versions` entry (DTLS 1.3 → `d3`); nDPI
 *   the hello's legacy version.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import { collectCapture, type FlowRow } from "./helpers/collect.js"
import { ip6 } from "./helpers/frames.js"
import { readNdpiFlows, type NdpiFlow } from "./helpers/ndpi-results.js"

const RESULTS = [
  "mining/ndpi-mining.pcapng.out.txt",
  "mining/ndpi-monero.pcap.out.txt",
  "normal/ndpi-443-firefox.pcap.out.txt",
  "formats/ndpi/KakaoTalk_talk.pcap.out.txt",
  "formats/ndpi/dtls.pcap.out.txt",
  "formats/ndpi/sites.pcapng.out.txt"
]
/** QINQ: per result file, nDPI's (inner) VLAN id → ours (the outer one) */
const QINQ: Readonly<Record<string, Readonly<Record<number, number>>>> = { "formats/ndpi/dtls.pcap.out.txt": { 10: 3243 } }
const NO_TIMEOUTS = { idleTimeoutS: 1e9, activeTimeoutS: 1e9, tcpLingerS: 1e9 }
const PROTOCOLS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58 }

const addr = (text: string): string => (text.includes(":") ? ip6(text).toString("hex") : text)
const str = (v: unknown): string | null => (typeof v === "string" ? v : null)

interface Match {
  readonly theirs: NdpiFlow
  readonly ours: FlowRow
  /** ours forward = nDPI's client-to-server */
  readonly same: boolean
}

const match = (theirs: ReadonlyArray<NdpiFlow>, ours: ReadonlyArray<FlowRow>): { matched: Array<Match>; unmatched: Array<NdpiFlow>; extra: Array<FlowRow> } => {
  const used = new Set<number>()
  const matched: Array<Match> = []
  const unmatched: Array<NdpiFlow> = []
  for (const t of theirs) {
    const ts = addr(t.srcIp)
    const td = addr(t.dstIp)
    const i = ours.findIndex((o, k) => {
      if (used.has(k) || o.protocol !== PROTOCOLS[t.protocol]) return false
      const os = addr(o.src_ip)
      const od = addr(o.dst_ip)
      const sp = o.src_port ?? 0
      const dp = o.dst_port ?? 0
      return (os === ts && od === td && sp === t.srcPort && dp === t.dstPort) || (os === td && od === ts && sp === t.dstPort && dp === t.srcPort)
    })
    if (i < 0) {
      unmatched.push(t)
      continue
    }
    used.add(i)
    const o = ours[i]!
    matched.push({ theirs: t, ours: o, same: addr(o.src_ip) === ts && (o.src_port ?? 0) === t.srcPort })
  }
  return { matched, unmatched, extra: ours.filter((_, k) => !used.has(k)) }
}

const resultLine = (file: string, line: number): string => readFileSync(fixture(file), "utf8").split("\n")[line - 1] ?? ""

/** Why our JA4 differs from nDPI's, or null when no documented rule explains it. */
const ja4Rule = (ours: string, theirs: string, ourSni: string | null, line: string): string | null => {
  const [oa, ob, oc] = ours.split("_")
  const [ta, tb, tc] = theirs.split("_")
  if (ob !== tb || oc !== tc || oa === undefined || ta === undefined || oa.length !== 10 || ta.length !== 10) return null
  const rules: Array<string> = []
  if (oa[0] !== ta[0] || oa.slice(4, 8) !== ta.slice(4, 8)) return null
  if (oa.slice(1, 3) !== ta.slice(1, 3)) {
    if (!(oa[1] === "d" && /TLS Supported Versions: DTLSv1\.3/.test(line) && oa[2] === "3")) return null
    rules.push("JA4_DTLS_VERSION")
  }
  if (oa[3] !== ta[3]) {
    if (!(oa[3] === "i" && ta[3] === "d" && ourSni === null)) return null
    rules.push("JA4_SNI_FLAG")
  }
  if (oa[0] === "q" && ta[0] === "q" && oa.slice(8) !== ta.slice(8)) {
    if (ta.slice(8) !== `${oa[8]}0`) return null
    rules.push("JA4_QUIC_ALPN")
  } else if (oa.slice(8) !== ta.slice(8)) {
    const alpn = /\[\(Advertised\) ALPNs: ([^;\]]+)/.exec(line)?.[1]
    if (alpn === undefined || oa.slice(8) !== `${alpn[0]}${alpn[alpn.length - 1]}` || ta.slice(8) !== alpn.slice(0, 2)) return null
    rules.push("JA4_ALPN")
  }
  return rules.join("+")
}

describeFixtures("nDPI expected results, flow by flow", () => {
  it.effect("packets and wire bytes per direction agree with nDPI for every flow (rules: BYTES, TIMEOUTS, QINQ, IPV6_TEXT)", () =>
    Effect.gen(function* () {
      let compared = 0
      let tunnelled = 0
      for (const file of RESULTS) {
        const capture = fixture(file.replace(/\.out\.txt$/, ""))
        const theirs = readNdpiFlows(fixture(file))
        expect(theirs.length, file).toBeGreaterThan(0)
        const { flows } = yield* collectCapture(capture, { ...NO_TIMEOUTS, byteLayer: "link" })
        const { matched, unmatched, extra } = match(theirs, flows)
        expect(unmatched, file).toEqual([])
        expect(extra, file).toEqual([])
        for (const { theirs: t, ours: o, same } of matched) {
          const got = same ? [o.fwd_packets, o.fwd_bytes, o.bwd_packets, o.bwd_bytes] : [o.bwd_packets, o.bwd_bytes, o.fwd_packets, o.fwd_bytes]
          expect(got, `${file}:${t.line}`).toEqual([t.c2sPackets, t.c2sBytes, t.s2cPackets, t.s2cBytes])
          if (t.vlan !== null) expect(o.vlan_id, `${file}:${t.line}`).toBe(QINQ[file]?.[t.vlan] ?? t.vlan)
          compared++
          if (t.tunnel !== null) tunnelled++
        }
      }
      // every one of the 96 nDPI flows in the six files, the one nDPI found inside GTP-U among them
      expect(compared).toBe(96)
      expect(tunnelled).toBe(1)
    }))

  it.effect("with the default IP-layer counting, nDPI − ours is the link header and padding (rule: BYTES)", () =>
    Effect.gen(function* () {
      for (const file of RESULTS) {
        const theirs = readNdpiFlows(fixture(file))
        const capture = fixture(file.replace(/\.out\.txt$/, ""))
        const ip = yield* collectCapture(capture, NO_TIMEOUTS)
        const link = yield* collectCapture(capture, { ...NO_TIMEOUTS, byteLayer: "link" })
        const headerBytes = file.includes("KakaoTalk") ? 16 : 14
        for (const { ours } of match(theirs, ip.flows).matched) {
          const l = link.flows.find((f) => f.src_ip === ours.src_ip && f.dst_ip === ours.dst_ip && f.src_port === ours.src_port && f.dst_port === ours.dst_port)!
          for (const [p, a, b] of [
            [ours.fwd_packets, ours.fwd_bytes, l.fwd_bytes],
            [ours.bwd_packets, ours.bwd_bytes, l.bwd_bytes]
          ] as const) {
            const extra = b - a - headerBytes * p - (ours.vlan_id === null ? 0 : 4 * p)
            expect(extra, file).toBeGreaterThanOrEqual(0)
            expect(extra, file).toBeLessThanOrEqual(46 * p)
          }
        }
      }
    }))

  it.effect("SNI, JA3 and JA4 agree with nDPI; each difference has a documented rule", () =>
    Effect.gen(function* () {
      const seen = new Map<string, number>()
      const tally = (rule: string): void => void seen.set(rule, (seen.get(rule) ?? 0) + 1)
      let tlsCompared = 0
      for (const file of RESULTS) {
        const capture = fixture(file.replace(/\.out\.txt$/, ""))
        const { flows } = yield* collectCapture(capture, NO_TIMEOUTS)
        for (const { theirs: t, ours: o } of match(readNdpiFlows(fixture(file)), flows).matched) {
          const line = resultLine(file, t.line)
          const host = str(o.tls_sni) ?? str(o.http_host) ?? str(o.dns_qname)
          expect(host, `${file}:${t.line}`).toBe(t.sni)
          if (str(o.tls_sni) === null && t.sni !== null) tally("HOSTNAME")
          expect(str(o.tls_ja3), `${file}:${t.line}`).toBe(t.ja3c)
          if (t.ja4 === null) {
            expect(str(o.tls_ja4)).toBeNull()
            continue
          }
          tlsCompared++
          const ours = str(o.tls_ja4)!
          if (ours === t.ja4) continue
          const rule = ja4Rule(ours, t.ja4, str(o.tls_sni), line)
          expect(rule, `${file}:${t.line}: ${ours} vs ${t.ja4}`).not.toBeNull()
          for (const r of rule!.split("+")) tally(r)
        }
      }
      expect(tlsCompared).toBeGreaterThan(50)
      expect([...seen.keys()].sort()).toEqual(["HOSTNAME", "JA4_ALPN", "JA4_DTLS_VERSION", "JA4_QUIC_ALPN", "JA4_SNI_FLAG"])
      expect(seen.get("JA4_QUIC_ALPN")).toBe(4)
    }))
})
