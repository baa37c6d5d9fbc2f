/**
 * TLS and DTLS ClientHello parsing for the application hints.
 *
 * Holds: the `ClientHello` summary (version, ciphers, extensions, SNI, groups, point formats,
 * signature algorithms, ALPN, supported versions; GREASE values removed everywhere),
 * `measureTlsClientHello` (how many leading bytes of a TCP stream a ClientHello needs, so a
 * caller can buffer a hello split over segments), `parseTlsClientHello` (TLS records over
 * TCP, a handshake message spread over several records included), `parseDtlsClientHello`
 * (one unfragmented DTLS handshake in a UDP datagram) and `parseClientHelloBody`.
 * Does not hold: fingerprints (ja3.ts, ja4.ts), QUIC's Initial packets (quic-initial.ts, which
 * hands the decrypted handshake message to `parseClientHelloBody`), or
 * any buffering state (collector.ts). Every length field is checked against the window
 * `[start, end)`; a malformed or truncated hello is null, never an exception.
 */
import { decodeHostname, isGrease, u16, u24, u8 } from "./wire-fields.js"

export interface ClientHello {
  readonly dtls: boolean
  /** legacy_version of the ClientHello body (0x0303 for TLS 1.2 and 1.3, 0xfefd for DTLS 1.2) */
  readonly version: number
  readonly ciphers: ReadonlyArray<number>
  /** extension types in wire order */
  readonly extensions: ReadonlyArray<number>
  /** first host_name entry of the server_name extension, lower-cased; null when absent or not printable */
  readonly sni: string | null
  readonly groups: ReadonlyArray<number>
  readonly pointFormats: ReadonlyArray<number>
  /** signature_algorithms in wire order */
  readonly signatureAlgorithms: ReadonlyArray<number>
  /** ALPN protocol names as latin1 strings, in wire order */
  readonly alpn: ReadonlyArray<string>
  readonly supportedVersions: ReadonlyArray<number>
}

/** A ClientHello larger than this (handshake bytes) is not followed: no client sends one. */
export const MAX_CLIENT_HELLO_BYTES = 16_384

const TLS_RECORD_HEADER = 5
const HANDSHAKE_HEADER = 4
const RECORD_HANDSHAKE = 22
const HANDSHAKE_CLIENT_HELLO = 1
/** RFC 8446 §5.1: a record fragment may not exceed 2^14 (+2048 for old ciphertext). */
const MAX_RECORD_LENGTH = 16_384 + 2_048
/** version(2) random(32) session_id length(1) cipher length(2) cipher(2) compression(1+1) */
const MIN_BODY = 41
const MAX_LIST_ENTRIES = 512

/** `measureTlsClientHello` result: these bytes do not start a TLS ClientHello. */
export const NOT_CLIENT_HELLO = -1

const isRecordHeader = (b: Uint8Array, i: number): boolean =>
  u8(b, i) === RECORD_HANDSHAKE && u8(b, i + 1) === 3 && u8(b, i + 2) <= 4

/**
 * How many bytes from `start` the ClientHello starting there occupies (record headers
 * included), or, while record headers are still missing, the least number of bytes needed
 * to learn more. `NOT_CLIENT_HELLO` when the bytes seen so far are not one, or it would
 * exceed `MAX_CLIENT_HELLO_BYTES`. The caller parses once `end - start >= result`.
 */
export const measureTlsClientHello = (b: Uint8Array, start: number, end: number): number => {
  if (start < 0 || end > b.length || end - start < 1) return NOT_CLIENT_HELLO
  if (u8(b, start) !== RECORD_HANDSHAKE) return NOT_CLIENT_HELLO
  if (end - start < TLS_RECORD_HEADER) {
    // too short to judge: the bytes present must at least agree with a record header
    if (end - start >= 2 && u8(b, start + 1) !== 3) return NOT_CLIENT_HELLO
    if (end - start >= 3 && u8(b, start + 2) > 4) return NOT_CLIENT_HELLO
    return TLS_RECORD_HEADER
  }
  if (!isRecordHeader(b, start)) return NOT_CLIENT_HELLO
  const firstLength = u16(b, start + 3)
  if (firstLength < HANDSHAKE_HEADER || firstLength > MAX_RECORD_LENGTH) return NOT_CLIENT_HELLO
  if (end - start < TLS_RECORD_HEADER + HANDSHAKE_HEADER) return TLS_RECORD_HEADER + HANDSHAKE_HEADER
  if (u8(b, start + TLS_RECORD_HEADER) !== HANDSHAKE_CLIENT_HELLO) return NOT_CLIENT_HELLO
  const handshakeLength = u24(b, start + TLS_RECORD_HEADER + 1)
  if (handshakeLength < MIN_BODY || handshakeLength > MAX_CLIENT_HELLO_BYTES) return NOT_CLIENT_HELLO
  let wanted = HANDSHAKE_HEADER + handshakeLength
  let at = start
  // every record carries at least one byte, so this walks at most `wanted` records
  for (;;) {
    if (end - at < TLS_RECORD_HEADER) return at - start + TLS_RECORD_HEADER
    if (!isRecordHeader(b, at)) return NOT_CLIENT_HELLO
    const length = u16(b, at + 3)
    if (length === 0 || length > MAX_RECORD_LENGTH) return NOT_CLIENT_HELLO
    at += TLS_RECORD_HEADER
    if (length >= wanted) return at - start + wanted
    wanted -= length
    at += length
    if (at - start > MAX_CLIENT_HELLO_BYTES + 64 * TLS_RECORD_HEADER) return NOT_CLIENT_HELLO
  }
}

/**
 * Parses a TLS ClientHello from the TCP stream bytes `b[start..end)` (record layer first).
 * A handshake message spread over several records is joined (one copy, at most 16 KiB).
 */
export const parseTlsClientHello = (b: Uint8Array, start: number, end: number): ClientHello | null => {
  const need = measureTlsClientHello(b, start, end)
  if (need === NOT_CLIENT_HELLO || need > end - start) return null
  const firstLength = u16(b, start + 3)
  const handshakeLength = u24(b, start + TLS_RECORD_HEADER + 1)
  const bodyStart = start + TLS_RECORD_HEADER + HANDSHAKE_HEADER
  if (firstLength >= HANDSHAKE_HEADER + handshakeLength) {
    return parseClientHelloBody(b, bodyStart, bodyStart + handshakeLength, false)
  }
  // the handshake message continues in further records: join their fragments
  const joined = new Uint8Array(HANDSHAKE_HEADER + handshakeLength)
  let filled = 0
  let at = start
  while (filled < joined.length && end - at >= TLS_RECORD_HEADER) {
    const length = u16(b, at + 3)
    const take = Math.min(length, joined.length - filled, end - at - TLS_RECORD_HEADER)
    if (take <= 0) return null
    joined.set(b.subarray(at + TLS_RECORD_HEADER, at + TLS_RECORD_HEADER + take), filled)
    filled += take
    at += TLS_RECORD_HEADER + length
  }
  if (filled < joined.length) return null
  return parseClientHelloBody(joined, HANDSHAKE_HEADER, joined.length, false)
}

const DTLS_RECORD_HEADER = 13
const DTLS_HANDSHAKE_HEADER = 12

const isDtlsVersion = (v: number): boolean => v === 0xfeff || v === 0xfefd || v === 0xfefc

/**
 * Parses a DTLS ClientHello from one UDP datagram `b[start..end)`: the first record must be
 * a handshake record holding an unfragmented ClientHello (fragmented hellos are null).
 */
export const parseDtlsClientHello = (b: Uint8Array, start: number, end: number): ClientHello | null => {
  if (start < 0 || end > b.length || end - start < DTLS_RECORD_HEADER + DTLS_HANDSHAKE_HEADER + MIN_BODY) return null
  if (u8(b, start) !== RECORD_HANDSHAKE || !isDtlsVersion(u16(b, start + 1))) return null
  const recordLength = u16(b, start + 11)
  const recordEnd = start + DTLS_RECORD_HEADER + recordLength
  if (recordEnd > end) return null
  const h = start + DTLS_RECORD_HEADER
  if (u8(b, h) !== HANDSHAKE_CLIENT_HELLO) return null
  const length = u24(b, h + 1)
  const fragmentOffset = u24(b, h + 6)
  const fragmentLength = u24(b, h + 9)
  if (fragmentOffset !== 0 || fragmentLength !== length) return null
  const bodyStart = h + DTLS_HANDSHAKE_HEADER
  if (bodyStart + length > recordEnd) return null
  return parseClientHelloBody(b, bodyStart, bodyStart + length, true)
}

/** Reads `count` 16-bit values from `b[at..at+2*count)`, GREASE removed. */
const readU16List = (b: Uint8Array, at: number, bytes: number, out: Array<number>): void => {
  const n = Math.min(bytes >> 1, MAX_LIST_ENTRIES)
  for (let k = 0; k < n; k++) {
    const v = u16(b, at + 2 * k)
    if (!isGrease(v)) out.push(v)
  }
}

/**
 * Parses a ClientHello body `b[start..end)` (after the handshake header): legacy version,
 * random, session id, (DTLS) cookie, cipher suites, compression methods, extensions.
 */
export const parseClientHelloBody = (b: Uint8Array, start: number, end: number, dtls: boolean): ClientHello | null => {
  if (start < 0 || end > b.length || end - start < MIN_BODY - 1) return null
  const version = u16(b, start)
  if (!dtls && u8(b, start) !== 3) return null
  if (dtls && !isDtlsVersion(version)) return null
  let at = start + 2 + 32
  const sessionIdLength = u8(b, at)
  if (sessionIdLength > 32) return null
  at += 1 + sessionIdLength
  if (dtls) {
    if (at >= end) return null
    const cookieLength = u8(b, at)
    at += 1 + cookieLength
  }
  if (at + 2 > end) return null
  const cipherBytes = u16(b, at)
  at += 2
  if ((cipherBytes & 1) !== 0 || cipherBytes === 0 || at + cipherBytes > end) return null
  const ciphers: Array<number> = []
  readU16List(b, at, cipherBytes, ciphers)
  at += cipherBytes
  if (at >= end) return null
  const compressionLength = u8(b, at)
  at += 1 + compressionLength
  if (at > end) return null

  const extensions: Array<number> = []
  const groups: Array<number> = []
  const pointFormats: Array<number> = []
  const signatureAlgorithms: Array<number> = []
  const alpn: Array<string> = []
  const supportedVersions: Array<number> = []
  let sni: string | null = null

  if (at + 2 <= end) {
    const extensionsLength = u16(b, at)
    at += 2
    const extensionsEnd = at + extensionsLength
    if (extensionsEnd > end) return null
    while (at < extensionsEnd) {
      if (at + 4 > extensionsEnd) return null
      const type = u16(b, at)
      const length = u16(b, at + 2)
      const data = at + 4
      const dataEnd = data + length
      if (dataEnd > extensionsEnd) return null
      at = dataEnd
      if (isGrease(type)) continue
      if (extensions.length < MAX_LIST_ENTRIES) extensions.push(type)
      switch (type) {
        case 0x0000: // server_name: list of (type u8, length u16, name)
          if (sni === null && length >= 2) sni = readServerName(b, data + 2, Math.min(dataEnd, data + 2 + u16(b, data)))
          break
        case 0x000a: // supported_groups
          if (length >= 2) readU16List(b, data + 2, Math.min(u16(b, data), length - 2), groups)
          break
        case 0x000b: {
          // ec_point_formats
          if (length < 1) break
          const n = Math.min(u8(b, data), length - 1)
          for (let k = 0; k < n; k++) pointFormats.push(u8(b, data + 1 + k))
          break
        }
        case 0x000d: // signature_algorithms
          if (length >= 2) readU16List(b, data + 2, Math.min(u16(b, data), length - 2), signatureAlgorithms)
          break
        case 0x0010: // application_layer_protocol_negotiation
          if (length >= 2) readAlpn(b, data + 2, Math.min(dataEnd, data + 2 + u16(b, data)), alpn)
          break
        case 0x002b: // supported_versions (client form: length u8, versions)
          if (length >= 1) readU16List(b, data + 1, Math.min(u8(b, data), length - 1), supportedVersions)
          break
      }
    }
  }
  return {
    dtls,
    version,
    ciphers,
    extensions,
    sni,
    groups,
    pointFormats,
    signatureAlgorithms,
    alpn,
    supportedVersions
  }
}

const readServerName = (b: Uint8Array, at: number, end: number): string | null => {
  while (at + 3 <= end) {
    const nameType = u8(b, at)
    const length = u16(b, at + 1)
    const nameStart = at + 3
    if (nameStart + length > end) return null
    if (nameType === 0) return decodeHostname(b, nameStart, nameStart + length)
    at = nameStart + length
  }
  return null
}

const MAX_ALPN = 16

const readAlpn = (b: Uint8Array, at: number, end: number, out: Array<string>): void => {
  while (at < end && out.length < MAX_ALPN) {
    const length = u8(b, at)
    const nameStart = at + 1
    if (nameStart + length > end) return
    let name = ""
    for (let i = nameStart; i < nameStart + length; i++) name += String.fromCharCode(u8(b, i))
    out.push(name)
    at = nameStart + length
  }
}
