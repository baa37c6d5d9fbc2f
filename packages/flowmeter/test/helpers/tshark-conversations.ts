/**
 * Test support: tshark's TCP and UDP conversation tables (`tshark -q -z conv,tcp -z conv,udp`)
 * read into rows.
 *
 * Holds: `Conversation` and `conversations`, which fails the calling test on a row in a layout it
 * does not read, so a change in tshark's table layout cannot drop conversations silently;
 * `tsharkConversations` (runs tshark on a capture), and `conversationLines` / `flowLines`, which
 * write tshark's conversations and our flows alike for a small capture's exact comparison.
 * Does not hold: the rules that explain differences on real captures (tshark-compare.test.ts).
 */
import { execFileSync } from "node:child_process"
import { expect } from "vitest"
import type { FlowRow } from "./collect.js"

export interface Conversation {
  readonly protocol: number
  readonly a: string
  readonly b: string
  /** tshark's byte counts and their unit (1 for "bytes", 1000 for kB, …) */
  readonly abBytes: readonly [number, number]
  readonly baBytes: readonly [number, number]
  readonly abFrames: number
  readonly baFrames: number
}

const UNITS: Readonly<Record<string, number>> = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 }
const ROW =
  /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+(\d[\d ]*) (bytes|kB|MB|GB)\s+(\d+)\s+(\d[\d ]*) (bytes|kB|MB|GB)\s+\d+\s+\d[\d ]* (?:bytes|kB|MB|GB)\s+-?[\d.]+\s+[\d.]+\s*$/

/** tshark's TCP and UDP conversation tables; its `<-` columns are B to A, `->` A to B. */
export const conversations = (text: string): Array<Conversation> => {
  const out: Array<Conversation> = []
  let protocol = 0
  for (const line of text.split("\n")) {
    if (line.startsWith("TCP Conversations")) protocol = 6
    else if (line.startsWith("UDP Conversations")) protocol = 17
    const m = ROW.exec(line)
    if (m === null) {
      // a row this parser does not read would silently drop a conversation: fail on it instead
      expect(line.includes("<->"), `a tshark conversation row in a layout this test does not read: ${line}`).toBe(false)
      continue
    }
    const bytes = (value: string, unit: string) => [Number(value.replaceAll(" ", "")), UNITS[unit]!] as const
    out.push({
      protocol,
      a: `${m[1]}|${m[2]}`,
      b: `${m[3]}|${m[4]}`,
      baFrames: Number(m[5]),
      baBytes: bytes(m[6]!, m[7]!),
      abFrames: Number(m[8]),
      abBytes: bytes(m[9]!, m[10]!)
    })
  }
  return out
}


/**
 * tshark's TCP and UDP conversations in a capture (tshark exits 2 on a cut capture, after its
 * tables); `options` go before the others (`-d udp.port==8472,vxlan`).
 */
export const tsharkConversations = (path: string, options: ReadonlyArray<string> = []): Array<Conversation> => {
  let text: string
  try {
    text = execFileSync("tshark", [...options, "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"], { encoding: "utf8", maxBuffer: 64 << 20 })
  } catch (failed) {
    text = (failed as { stdout?: string }).stdout ?? ""
  }
  return conversations(text)
}

/** One line per endpoint pair (the lower endpoint first): `protocol A B frames/bytes A→B frames/bytes B→A`. */
const pairLine = (protocol: number, x: string, y: string, xy: readonly [number, number], yx: readonly [number, number]): string =>
  x <= y ? `${protocol} ${x} ${y} ${xy[0]}/${xy[1]} ${yx[0]}/${yx[1]}` : `${protocol} ${y} ${x} ${yx[0]}/${yx[1]} ${xy[0]}/${xy[1]}`

/** tshark's conversations as sorted pair lines; for small captures, where tshark prints bytes, not kB. */
export const conversationLines = (list: ReadonlyArray<Conversation>): Array<string> =>
  list
    .map((c) => pairLine(c.protocol, c.a, c.b, [c.abFrames, c.abBytes[0] * c.abBytes[1]], [c.baFrames, c.baBytes[0] * c.baBytes[1]]))
    .sort()

/** TCP and UDP flows (read with `byteLayer: "link"`, as tshark counts) as the same sorted pair lines. */
export const flowLines = (flows: ReadonlyArray<FlowRow>): Array<string> =>
  flows
    .filter((f) => f.protocol === 6 || f.protocol === 17)
    .map((f) => pairLine(f.protocol, `${f.src_ip}|${f.src_port}`, `${f.dst_ip}|${f.dst_port}`, [f.fwd_packets, f.fwd_bytes], [f.bwd_packets, f.bwd_bytes]))
    .sort()
