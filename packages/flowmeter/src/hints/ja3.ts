/**
 * JA3 TLS client fingerprint (Salesforce, 2017).
 *
 * Holds: `ja3String` (SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats,
 * decimal values joined by '-', GREASE already removed by the ClientHello parser) and `ja3`
 * (its MD5, lower-case hex, via node:crypto).
 * Does not hold: JA3S (server side) or parsing (tls-client-hello.ts).
 */
import { createHash } from "node:crypto"
import type { ClientHello } from "./tls-client-hello.js"

export const ja3String = (hello: ClientHello): string =>
  `${hello.version},${hello.ciphers.join("-")},${hello.extensions.join("-")},${hello.groups.join("-")},${hello.pointFormats.join("-")}`

export const ja3 = (hello: ClientHello): string => createHash("md5").update(ja3String(hello)).digest("hex")
