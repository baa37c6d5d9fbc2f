/**
 * Reader for nDPI's expected-result files (`*.out`, the `ndpiReader -v` flow listing used by
 * nDPI's own test suite): one record per flow with protocol, endpoints, VLAN, packets and
 * bytes per direction, SNI, JA3C and JA4.
 *
 * Holds: `readNdpiFlows` and `NdpiFlow`. Test support only.
 * Does not hold: anything about our own flows.
 */
import { readFileSync } from "node:fs"

export interface NdpiFlow {
  readonly line: number
  readonly protocol: string
  readonly srcIp: string
  readonly srcPort: number
  readonly dstIp: string
  readonly dstPort: number
  readonly vlan: number | null
  /** nDPI decoded a tunnel (GTP, …) and reports the inner flow */
  readonly tunnel: string | null
  readonly c2sPackets: number
  readonly c2sBytes: number
  readonly s2cPackets: number
  readonly s2cBytes: number
  readonly sni: string | null
  readonly ja3c: string | null
  readonly ja4: string | null
}

const FLOW = /^\t\d+\t(\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (?:<->|->) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (.*)$/
const COUNTS = /\[(\d+) pkts\/(\d+) bytes (?:<->|->) (\d+) pkts\/(\d+) bytes\]/

const bare = (ip: string): string => (ip.startsWith("[") ? ip.slice(1, -1) : ip)
const field = (rest: string, name: string): string | null => {
  const m = new RegExp(`\\[${name}: ([^\\]]*)\\]`).exec(rest)
  return m === null ? null : m[1]!
}

export const readNdpiFlows = (path: string): Array<NdpiFlow> => {
  const out: Array<NdpiFlow> = []
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const m = FLOW.exec(text)
      if (m === null) return
      const rest = m[6]!
      const counts = COUNTS.exec(rest)
      if (counts === null) return
      const vlan = field(rest, "VLAN")
      const proto = /\[proto: (?:([A-Za-z]+):)?/.exec(rest)
      out.push({
        line: i + 1,
        protocol: m[1]!,
        srcIp: bare(m[2]!),
        srcPort: Number(m[3]),
        dstIp: bare(m[4]!),
        dstPort: Number(m[5]),
        vlan: vlan === null ? null : Number(vlan),
        tunnel: proto?.[1] ?? null,
        c2sPackets: Number(counts[1]),
        c2sBytes: Number(counts[2]),
        s2cPackets: Number(counts[3]),
        s2cBytes: Number(counts[4]),
        sni: field(rest, "Hostname/SNI"),
        ja3c: field(rest, "JA3C"),
        ja4: field(rest, "JA4")
      })
    })
  return out
}
