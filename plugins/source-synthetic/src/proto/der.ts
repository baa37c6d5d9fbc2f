/**
 * Minimal DER encoding of X.509 certificates, so TLS 1.2 Certificate messages carry
 * structurally valid certificates (Wireshark dissects them without complaint) of realistic
 * size: RSA-2048 or P-256 keys, issuer and subject names, validity, SAN and basic
 * constraints, and a signature of the right length.
 * Holds: `certificate(...)` and the few DER building blocks it needs.
 * Does not hold: any real cryptography (keys and signatures are random bytes of the right
 * shape).
 */
import type { Rng } from "../sim/prng.js"

const length = (n: number): Buffer => {
  if (n < 0x80) return Buffer.of(n)
  if (n < 0x100) return Buffer.of(0x81, n)
  if (n < 0x10000) return Buffer.of(0x82, n >>> 8, n & 0xff)
  return Buffer.of(0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff)
}

export const tlv = (tag: number, ...content: ReadonlyArray<Buffer>): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.of(tag), length(body.length), body])
}

const seq = (...content: ReadonlyArray<Buffer>): Buffer => tlv(0x30, ...content)
const set = (...content: ReadonlyArray<Buffer>): Buffer => tlv(0x31, ...content)
const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, "hex"))
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, "utf8"))
const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, "ascii"))
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.of(0), bytes)
const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes)
const bool = (value: boolean): Buffer => tlv(0x01, Buffer.of(value ? 0xff : 0))

/** A positive INTEGER from random bytes (leading zero added when the top bit is set). */
const positiveInteger = (bytes: Buffer): Buffer => {
  const b = Buffer.from(bytes)
  if (b[0] === 0) b[0] = 1
  return tlv(0x02, (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), b]) : b)
}

const OID_SHA256_RSA = "2a864886f70d01010b"
const OID_RSA = "2a864886f70d010101"
const OID_EC_PUBLIC_KEY = "2a8648ce3d0201"
const OID_P256 = "2a8648ce3d030107"
const OID_ECDSA_SHA256 = "2a8648ce3d040302"
const OID_CN = "550403"
const OID_O = "55040a"
const OID_C = "550406"
const OID_SAN = "551d11"
const OID_BASIC_CONSTRAINTS = "551d13"

const name = (country: string, organisation: string, common: string): Buffer =>
  seq(
    set(seq(oid(OID_C), printable(country))),
    set(seq(oid(OID_O), utf8(organisation))),
    set(seq(oid(OID_CN), utf8(common)))
  )

const utcTime = (date: Date): Buffer => {
  const p = (n: number): string => String(n).padStart(2, "0")
  const text = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`
  return tlv(0x17, Buffer.from(text, "ascii"))
}

export interface CertificateSpec {
  readonly subject: string
  readonly issuer: string
  readonly issuerOrg: string
  readonly altNames: ReadonlyArray<string>
  readonly key: "rsa2048" | "p256"
  readonly ca: boolean
  readonly notBefore: Date
  readonly days: number
}

/** A DER certificate for `spec`, with random key material and signature. */
export const certificate = (rng: Rng, spec: CertificateSpec): Buffer => {
  const signedByRsa = spec.ca || spec.key === "rsa2048"
  const sigAlg = signedByRsa ? seq(oid(OID_SHA256_RSA), tlv(0x05)) : seq(oid(OID_ECDSA_SHA256))
  const publicKey =
    spec.key === "rsa2048"
      ? seq(
          seq(oid(OID_RSA), tlv(0x05)),
          bitString(seq(positiveInteger(Buffer.concat([Buffer.of(0xc0 | rng.int(0, 63)), rng.bytes(255)])), tlv(0x02, Buffer.of(1, 0, 1))))
        )
      : seq(seq(oid(OID_EC_PUBLIC_KEY), oid(OID_P256)), bitString(Buffer.concat([Buffer.of(4), rng.bytes(64)])))
  const notAfter = new Date(spec.notBefore.getTime() + spec.days * 86_400_000)
  const extensions = [
    seq(oid(OID_BASIC_CONSTRAINTS), bool(true), octetString(seq(...(spec.ca ? [bool(true)] : []))))
  ]
  if (spec.altNames.length > 0) {
    extensions.push(seq(oid(OID_SAN), octetString(seq(...spec.altNames.map((alt) => tlv(0x82, Buffer.from(alt, "ascii")))))))
  }
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.of(2))),
    positiveInteger(Buffer.concat([Buffer.of(rng.int(1, 0x7f)), rng.bytes(15)])),
    sigAlg,
    name("US", spec.issuerOrg, spec.issuer),
    seq(utcTime(spec.notBefore), utcTime(notAfter)),
    name("US", spec.ca ? spec.issuerOrg : "Example Hosting", spec.subject),
    publicKey,
    tlv(0xa3, seq(...extensions))
  )
  const signature = signedByRsa
    ? bitString(rng.bytes(256))
    : bitString(seq(positiveInteger(rng.bytes(32)), positiveInteger(rng.bytes(32))))
  return seq(tbs, sigAlg, signature)
}
