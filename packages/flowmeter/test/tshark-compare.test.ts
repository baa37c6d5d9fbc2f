/**
 * Our flows against tshark's conversation tables (`tshark -q -z conv,tcp -z conv,udp`), over
 * every capture in the shared fixtures (the big-endian copies of the pcapng generator's files
 * left out: they hold the same packets as the little-endian ones).
 *
 * Per protocol (TCP, UDP) and pair of endpoints, tshark's conversations and our flows (read with
 * `byteLayer: "link"`, which counts bytes as tshark does, and the idle and active timeouts at
 * their largest, as tshark has none) must agree on how many there are and on frames and bytes
 * in each direction (bytes exactly where tshark prints them in bytes, else to its kB/MB
 * rounding). Where they do not, the difference must be one of these documented rules, and the
 * table EXPECTED names, per capture, how many endpoint pairs each rule explains:
 * - TUNNEL: tshark reports a tunnel's own conversation as well as the one inside it; the meter
 *   meters the packet inside (`tunnels: inner`), so the tunnel's pair (GTP-U's UDP 2152 in
 *   dtls.pcap) has no flow. tshark also reports conversations inside packets another protocol
 *   carries (OpenFlow packet-in/out in of13_ericsson.pcapng), which the meter does not open.
 * - FRAGMENTS: tshark reassembles IP fragments and counts a datagram once, at its last
 *   fragment; every fragment is a packet of our flow (later fragments join their first one's).
 * - TCP_CLOSE: after FIN from both sides or a RST, a new SYN, or any packet more than
 *   `tcp_linger_s` (1 s) later, starts a new flow; tshark keeps a retransmitted SYN (same
 *   sequence number) and late retransmissions in the closed stream. Frames and bytes summed over
 *   the pair agree.
 * - TIME_GAP: a flow ended `idle` or `active` across a gap longer than the largest timeout
 *   (10^9 s): a simple packet block carries no time (its packet takes time 0 when it comes
 *   first) or the capture's own times jump decades. Frames and bytes summed over the pair agree.
 * Skipped, with the reason in the test name, when the fixtures or tshark are missing.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, fixturesDir, hasCommand, hasFixtures } from "@hashhound/testkit"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { readdirSync } from "node:fs"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { expect } from "vitest"
import { collectCapture, type FlowRow } from "./helpers/collect.js"
import { conversations, type Conversation } from "./helpers/tshark-conversations.js"

const run = promisify(execFile)

type Rule = "TUNNEL" | "FRAGMENTS" | "TCP_CLOSE" | "TIME_GAP"

/** Per capture (relative to the fixtures), how many endpoint pairs each rule explains; all others agree. */
const EXPECTED: Readonly<Record<string, Partial<Record<Rule, number>>>> = {
  "formats/ndpi/dtls.pcap": { TUNNEL: 1 },
  "formats/tcpdump/of13_ericsson.pcapng": { TUNNEL: 1 },
  "formats/pcapplusplus/frag_http_req.pcap": { FRAGMENTS: 1 },
  "formats/pcapplusplus/frag_with_padding.pcap": { FRAGMENTS: 1 },
  "formats/pcapplusplus/ip4_fragments.pcap": { FRAGMENTS: 1 },
  "formats/pcapplusplus/ip6_fragments.pcap": { FRAGMENTS: 2 },
  "formats/tcpdump/afs.pcap": { FRAGMENTS: 1 },
  "mining/nesfit-cgminer.s0.pcapng": { TCP_CLOSE: 80 },
  "mining/nesfit-cgminer.s1.pcapng": { TCP_CLOSE: 1 },
  "normal/pcapplusplus-example2.pcap": { TCP_CLOSE: 1 },
  "formats/pcapplusplus/pcapng-example.pcapng": { TIME_GAP: 1 },
  "formats/pcapng-test-generator/output_le/basic/test011.pcapng": { TIME_GAP: 1 },
  "formats/pcapng-test-generator/output_le/basic/test016.pcapng": { TIME_GAP: 1 },
  "formats/pcapng-test-generator/output_le/basic/test018.pcapng": { TIME_GAP: 1 },
  "formats/pcapng-test-generator/output_le/advanced/test100.pcapng": { TIME_GAP: 1 }
}
/** the captures EXPECTED says carry tunnels or fragments: the two rules that depend on what a capture holds */
const capturesWith = (rule: Rule): ReadonlySet<string> => new Set(Object.keys(EXPECTED).filter((capture) => EXPECTED[capture]![rule] !== undefined))
const TUNNEL_CAPTURES = capturesWith("TUNNEL")
const FRAGMENT_CAPTURES = capturesWith("FRAGMENTS")

const OPEN = { byteLayer: "link", idleTimeoutS: 1e9, activeTimeoutS: 1e9 } as const

/** Frames and bytes from the pair's first endpoint to its second (`ab`) and back (`ba`). */
interface Volume {
  abFrames: number
  baFrames: number
  abBytes: number
  baBytes: number
}

const pairKey = (protocol: number, x: string, y: string): { key: string; first: string } => {
  const first = x < y ? x : y
  return { key: `${protocol} ${first} ${x < y ? y : x}`, first }
}

/** tshark prints a count of `unit` bytes, rounded or cut: does `exact` fit it? */
const fits = (exact: number, [value, unit]: readonly [number, number]): boolean =>
  unit === 1 ? exact === value : Math.round(exact / unit) === value || Math.floor(exact / unit) === value

interface Pair {
  readonly theirs: Array<{ conv: Conversation; forward: boolean }>
  readonly ours: Array<{ flow: FlowRow; forward: boolean }>
}

const ourVolume = (ours: Pair["ours"]): Volume => {
  const v = { abFrames: 0, baFrames: 0, abBytes: 0, baBytes: 0 }
  for (const { flow, forward } of ours) {
    v.abFrames += forward ? flow.fwd_packets : flow.bwd_packets
    v.baFrames += forward ? flow.bwd_packets : flow.fwd_packets
    v.abBytes += forward ? flow.fwd_bytes : flow.bwd_bytes
    v.baBytes += forward ? flow.bwd_bytes : flow.fwd_bytes
  }
  return v
}

/**
 * Our volume against tshark's: the `same` frames and bytes, or at least theirs (`covers`). One
 * conversation's bytes are compared to tshark's printing; several conversations' only when tshark
 * printed all of them in bytes (a sum of rounded kB says little).
 */
const compareVolume = (pair: Pair): { same: boolean; covers: boolean } => {
  const ours = ourVolume(pair.ours)
  const theirs = { abFrames: 0, baFrames: 0, abBytes: 0, baBytes: 0 }
  const printed: Array<readonly [number, readonly [number, number]]> = []
  for (const { conv, forward } of pair.theirs) {
    const [ab, ba] = forward ? [conv.abBytes, conv.baBytes] : [conv.baBytes, conv.abBytes]
    theirs.abFrames += forward ? conv.abFrames : conv.baFrames
    theirs.baFrames += forward ? conv.baFrames : conv.abFrames
    theirs.abBytes += ab[0] * ab[1]
    theirs.baBytes += ba[0] * ba[1]
    printed.push([ours.abBytes, ab], [ours.baBytes, ba])
  }
  const bytesSame =
    pair.theirs.length === 1
      ? printed.every(([exact, shown]) => fits(exact, shown))
      : printed.some(([, [, unit]]) => unit !== 1) || (theirs.abBytes === ours.abBytes && theirs.baBytes === ours.baBytes)
  const framesSame = theirs.abFrames === ours.abFrames && theirs.baFrames === ours.baFrames
  // tshark's kB may be rounded up: allow its unit in each direction
  const slack = printed.reduce((most, [, [, unit]]) => Math.max(most, unit === 1 ? 0 : unit), 0) * 2
  return {
    same: framesSame && bytesSame,
    covers: ours.abFrames >= theirs.abFrames && ours.baFrames >= theirs.baFrames && ours.abBytes + ours.baBytes + slack >= theirs.abBytes + theirs.baBytes
  }
}

/** Which rule explains a pair that does not agree, or undefined when none does. */
const explain = (capture: string, pair: Pair, volume: { same: boolean; covers: boolean }): Rule | undefined => {
  if (pair.ours.length === 0) return TUNNEL_CAPTURES.has(capture) ? "TUNNEL" : undefined
  if (pair.theirs.length === 0) return undefined
  if (FRAGMENT_CAPTURES.has(capture) && pair.ours.length === pair.theirs.length && volume.covers) return "FRAGMENTS"
  if (!volume.same || pair.ours.length <= pair.theirs.length) return undefined
  const sorted = pair.ours.map((entry) => entry.flow).sort((x, y) => Number(x["first_seen_us"]) - Number(y["first_seen_us"]))
  const earlier = sorted.slice(0, -1).map((flow) => flow.end_reason)
  if (earlier.every((reason) => reason === "fin" || reason === "rst")) return "TCP_CLOSE"
  if (earlier.some((reason) => reason === "idle" || reason === "active")) return "TIME_GAP"
  return undefined
}

const captures = (): Array<string> => {
  const found: Array<string> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(pcap|pcapng|cap)$/.test(entry.name) && !path.includes("/output_be/")) found.push(relative(fixturesDir(), path))
    }
  }
  walk(fixturesDir())
  return found.sort()
}

const compareCapture = (capture: string) =>
  Effect.gen(function* () {
    // tshark exits 2 on a capture cut short, after printing the tables of what it read
    const stdout = yield* Effect.promise(() =>
      run("tshark", ["-n", "-r", fixture(capture), "-q", "-z", "conv,tcp", "-z", "conv,udp"], { maxBuffer: 64 << 20 }).then(
        (done) => done.stdout,
        (failed: { stdout?: string }) => failed.stdout ?? ""
      )
    )
    const { flows } = yield* collectCapture(fixture(capture), OPEN)
    const pairs = new Map<string, Pair>()
    const pairOf = (key: string): Pair => {
      const found = pairs.get(key) ?? { theirs: [], ours: [] }
      pairs.set(key, found)
      return found
    }
    for (const conv of conversations(stdout)) {
      const { key, first } = pairKey(conv.protocol, conv.a, conv.b)
      pairOf(key).theirs.push({ conv, forward: first === conv.a })
    }
    for (const flow of flows) {
      if (flow.protocol !== 6 && flow.protocol !== 17) continue
      // tshark writes IPv6 addresses as RFC 5952 text, as the meter does: they compare as text
      const src = `${flow.src_ip}|${flow.src_port}`
      const { key, first } = pairKey(flow.protocol, src, `${flow.dst_ip}|${flow.dst_port}`)
      pairOf(key).ours.push({ flow, forward: first === src })
    }
    const rules: Partial<Record<Rule, number>> = {}
    const unexplained: Array<string> = []
    for (const [key, pair] of pairs) {
      const volume = compareVolume(pair)
      if (pair.theirs.length === pair.ours.length && volume.same) continue
      const rule = explain(capture, pair, volume)
      if (rule === undefined) unexplained.push(`${key}: tshark ${JSON.stringify(pair.theirs.map((t) => t.conv))}, ours ${JSON.stringify(ourVolume(pair.ours))} in ${pair.ours.length} flow(s)`)
      else rules[rule] = (rules[rule] ?? 0) + 1
    }
    return { rules, unexplained, pairs: pairs.size }
  })

describeFixtures("tshark conversation tables", () => {
  const tshark = hasCommand("tshark")
  it.effect.skipIf(!tshark)(
    `every capture agrees with tshark pair by pair, or by a documented rule${tshark ? "" : " [skipped: tshark is not installed (Debian: tshark)]"}`,
    () =>
      Effect.gen(function* () {
        const list = hasFixtures() ? captures() : []
        expect(list.length).toBeGreaterThan(50)
        const results = yield* Effect.forEach(list, (capture) => Effect.map(compareCapture(capture), (result) => [capture, result] as const), {
          concurrency: 2
        })
        let compared = 0
        for (const [capture, result] of results) {
          compared += result.pairs
          expect(result.unexplained, capture).toEqual([])
          expect(result.rules, capture).toEqual(EXPECTED[capture] ?? {})
        }
        expect(compared).toBeGreaterThan(1500)
      }),
    600_000
  )
})
