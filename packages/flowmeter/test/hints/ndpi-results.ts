/**
 * Test support: reads nDPI's expected-result files (`ndpiReader` output, the `.out.txt`
 * fixtures) into flow records with the fields the hint tests compare against.
 *
 * Holds: `readNdpiFlows` — one record per flow line ("\t<n>\t<TCP|UDP> a:p <-> b:p [..][..]"),
 * with nDPI's protocol, Hostname/SNI, JA3C and JA4, plus the flow lookup key the capture
 * walker uses. Does not hold: any other nDPI field.
 */
import { readFileSync } from "node:fs"
import { flowLookupKey, normalizeEndpoint } from "./capture-walker.js"

export interface NdpiFlow {
  readonly line: number
  readonly protocol: 6 | 17
  /** as nDPI prints them: "1.2.3.4:80" or "[2001:db8::1]:443" */
  readonly a: string
  readonly b: string
  readonly lookupKey: string
  readonly proto: string
  readonly hostname: string | null
  readonly ja3c: string | null
  readonly ja4: string | null
}

const FLOW_LINE = /^\s+(\d+)\s+(TCP|UDP) (\S+) <?-> (\S+) (.*)$/
const field = (rest: string, name: string): string | null => {
  const m = new RegExp(`\\[${name}: ([^\\]]*)\\]`).exec(rest)
  return m === null ? null : (m[1] ?? null)
}

export const readNdpiFlows = (path: string): Array<NdpiFlow> => {
  const flows: Array<NdpiFlow> = []
  for (const text of readFileSync(path, "utf8").split("\n")) {
    const m = FLOW_LINE.exec(text)
    if (m === null) continue
    const protocol = m[2] === "TCP" ? 6 : 17
    const a = m[3] ?? ""
    const b = m[4] ?? ""
    const rest = m[5] ?? ""
    flows.push({
      line: Number(m[1]),
      protocol,
      a,
      b,
      lookupKey: flowLookupKey(protocol, normalizeEndpoint(a), normalizeEndpoint(b)),
      proto: field(rest, "proto") ?? "",
      hostname: field(rest, "Hostname/SNI"),
      ja3c: field(rest, "JA3C"),
      ja4: field(rest, "JA4")
    })
  }
  return flows
}
