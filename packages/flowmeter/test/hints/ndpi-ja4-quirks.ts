/**
 * Test support: the four places where the nDPI build behind the fixtures (ntop/nDPI@3b1286a)
 * writes JA4 differently from the FoxIO specification (technical_details/JA4.md), so a test
 * can show that every JA4 mismatch is one of them and nothing else.
 *
 * Holds: `explainNdpiJa4`, which re-derives nDPI's string from our spec-following JA4 and the
 * parsed ClientHello by applying the smallest set of known quirks:
 * - "sni": nDPI writes `d` whenever the SNI is not a numeric IP, also when the ClientHello
 *   has no server_name extension at all (spec: `i`);
 * - "version": nDPI takes the numeric maximum of the handshake version and supported_versions,
 *   so a DTLS 1.3 hello (supported_versions = fefc, handshake fefd) reads `d2` (spec: the
 *   highest supported_versions entry, `d3`);
 * - "alpn": nDPI keeps the ALPN list in a 3-byte buffer, so it prints the first two characters
 *   of the comma-joined list ("http/1.1" gives `ht`; spec: first and last of the first value, `h1`);
 * - "quic-alpn": for a QUIC hello nDPI writes `0` as the ALPN's second character (`h3` gives
 *   `h0`); the FoxIO and Suricata documentation give `q13d0310h3_55b375c5d22e_cd85d2d88918` for
 *   the hello that nDPI writes as `q13d0310h0_…` (sites.pcapng's classroom.google.com).
 * Does not hold: JA4 itself (src/hints/ja4.ts).
 */
import type { ClientHello } from "../../src/hints/index.js"

export type NdpiQuirk = "sni" | "version" | "alpn" | "quic-alpn"

const VERSION_CODES: Record<number, string> = { 0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3" }

const applyQuirk = (ja4: string, hello: ClientHello, quirk: NdpiQuirk): string => {
  const chars = [...ja4]
  if (quirk === "sni") chars[3] = "d"
  if (quirk === "version") {
    const top = Math.max(hello.version, ...hello.supportedVersions)
    const code = VERSION_CODES[top] ?? "00"
    chars[1] = code.charAt(0)
    chars[2] = code.charAt(1)
  }
  if (quirk === "quic-alpn" && chars[0] === "q") chars[9] = "0"
  if (quirk === "alpn") {
    const list = hello.alpn.join(",")
    if (list.length > 2) {
      chars[8] = list.charAt(0)
      chars[9] = list.charAt(1)
    }
  }
  return chars.join("")
}

const SUBSETS: ReadonlyArray<ReadonlyArray<NdpiQuirk>> = [
  ["sni"],
  ["quic-alpn"],
  ["version"],
  ["alpn"],
  ["sni", "version"],
  ["sni", "alpn"],
  ["version", "alpn"],
  ["sni", "version", "alpn"]
]

/** The smallest quirk set that turns `ours` into `ndpi`; [] when equal; null when none explains it. */
export const explainNdpiJa4 = (ndpi: string, ours: string, hello: ClientHello): ReadonlyArray<NdpiQuirk> | null => {
  if (ndpi === ours) return []
  for (const subset of SUBSETS) {
    let s = ours
    for (const quirk of subset) s = applyQuirk(s, hello, quirk)
    if (s === ndpi) return subset
  }
  return null
}
