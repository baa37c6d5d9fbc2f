/**
 * JA4 TLS client fingerprint (FoxIO, technical_details/JA4.md).
 *
 * Holds: `ja4` and its parts: transport letter (`t` TCP, `q` QUIC, `d` DTLS), version (the
 * highest supported_versions value when that extension is present, else the ClientHello
 * version), `d`/`i` for SNI present or not, two-digit cipher and extension counts (capped at
 * 99), the first and last character of the first ALPN value (hex digits when those bytes are
 * not alphanumeric), then `_` + sha256-12 of the sorted 4-hex-digit ciphers and `_` +
 * sha256-12 of the sorted extensions without SNI (0000) and ALPN (0010), followed by `_` and
 * the signature algorithms in wire order. GREASE is already removed by the parser.
 * Does not hold: JA4S/JA4H/… or parsing (tls-client-hello.ts).
 */
import { createHash } from "node:crypto"
import type { ClientHello } from "./tls-client-hello.js"

export type Ja4Transport = "t" | "q" | "d"

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, "13"],
  [0x0303, "12"],
  [0x0302, "11"],
  [0x0301, "10"],
  [0x0300, "s3"],
  [0x0002, "s2"],
  [0xfeff, "d1"],
  [0xfefd, "d2"],
  [0xfefc, "d3"]
])

/** Two-character version: the numerically highest supported_versions entry, else the hello version. */
export const ja4Version = (hello: ClientHello): string => {
  let version = hello.version
  if (hello.supportedVersions.length > 0) {
    version = 0
    for (const v of hello.supportedVersions) if (v > version) version = v
  }
  return VERSION_CODES.get(version) ?? "00"
}

const isAlphanumeric = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)

const hex2 = (c: number): string => c.toString(16).padStart(2, "0")

/** First and last character of the first ALPN value; "00" when there is none. */
export const ja4Alpn = (hello: ClientHello): string => {
  const first = hello.alpn[0]
  if (first === undefined || first.length === 0) return "00"
  const a = first.charCodeAt(0)
  const z = first.charCodeAt(first.length - 1)
  if (isAlphanumeric(a) && isAlphanumeric(z)) return String.fromCharCode(a) + String.fromCharCode(z)
  return hex2(a).charAt(0) + hex2(z).charAt(1)
}

const hex4 = (v: number): string => v.toString(16).padStart(4, "0")

/** First 12 hex characters of the SHA-256 of `text`; "000000000000" for an empty list. */
export const sha256Prefix12 = (text: string): string =>
  text === "" ? "000000000000" : createHash("sha256").update(text).digest("hex").slice(0, 12)

const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, "0")

/** JA4_b input: ciphers as 4-digit hex, sorted, comma-joined. */
export const ja4CipherList = (hello: ClientHello): string =>
  [...hello.ciphers].sort((x, y) => x - y).map(hex4).join(",")

/** JA4_c input: sorted extensions without SNI and ALPN, then `_` and the signature algorithms in order. */
export const ja4ExtensionList = (hello: ClientHello): string => {
  const extensions = hello.extensions
    .filter((e) => e !== 0x0000 && e !== 0x0010)
    .sort((x, y) => x - y)
    .map(hex4)
    .join(",")
  if (extensions === "") return ""
  return hello.signatureAlgorithms.length === 0
    ? extensions
    : `${extensions}_${hello.signatureAlgorithms.map(hex4).join(",")}`
}

export const ja4 = (hello: ClientHello, transport: Ja4Transport): string => {
  const sni = hello.extensions.includes(0x0000) ? "d" : "i"
  const a = `${transport}${ja4Version(hello)}${sni}${count2(hello.ciphers.length)}${count2(hello.extensions.length)}${ja4Alpn(hello)}`
  return `${a}_${sha256Prefix12(ja4CipherList(hello))}_${sha256Prefix12(ja4ExtensionList(hello))}`
}
