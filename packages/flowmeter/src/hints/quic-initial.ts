/**
 * QUIC Initial packets: the client's ClientHello, decrypted as any on-path observer can (RFC 9001
 * §5: Initial keys come from the client's first Destination Connection ID and a published salt).
 *
 * Holds: `looksLikeQuicInitial` (a long-header Initial of QUIC version 1 or 2 opening a UDP
 * payload) and `QuicInitialReader`, fed the client's datagrams in order: it derives the
 * Initial keys from the first one, removes header protection, decrypts each Initial packet
 * (coalesced packets in one datagram included), gathers the CRYPTO frames by offset (in any
 * order, over several packets, as Chrome's split and shuffled hellos need) and, once the
 * handshake message is whole, hands back the parsed ClientHello.
 * Does not hold: fingerprints (ja3.ts, ja4.ts with transport `q`), server packets, later
 * packet-number spaces, or draft versions before RFC 9000. A packet that fails to decrypt (not
 * QUIC after all, or damaged) ends the reading with no result; nothing here throws.
 */
import { createDecipheriv } from "node:crypto"
import { deriveInitialKeys, headerMask, type InitialKeys, newInitialKeys } from "./quic-keys.js"
import { type ClientHello, MAX_CLIENT_HELLO_BYTES, parseClientHelloBody } from "./tls-client-hello.js"
import { u24, u32, u8 } from "./wire-fields.js"

const VERSION_1 = 0x00000001
const VERSION_2 = 0x6b3343cf

const MAX_CONNECTION_ID = 20
const TAG_BYTES = 16
const SAMPLE_BYTES = 16
/** Initial packets of a flow read at most: a ClientHello takes one to three. */
const MAX_PACKETS = 8

/** Initial's long-header packet type (bits 4–5): 0 in version 1, 1 in version 2. */
const initialType = (version: number): number => (version === VERSION_2 ? 1 : 0)

/** A QUIC variable-length integer at `at`: its value, and its length in `varintLength`. */
let varintLength = 0
const varint = (b: Uint8Array, at: number, end: number): number => {
  if (at >= end) return -1
  const first = b[at]!
  const length = 1 << (first >> 6)
  if (at + length > end) return -1
  let value = first & 0x3f
  for (let i = 1; i < length; i++) value = value * 256 + b[at + i]!
  varintLength = length
  return value
}

/** Does `b[start..end)` open with a QUIC v1/v2 long-header Initial packet? */
export const looksLikeQuicInitial = (b: Uint8Array, start: number, end: number): boolean => {
  if (end - start < 7 + SAMPLE_BYTES) return false
  const first = u8(b, start)
  if ((first & 0xc0) !== 0xc0) return false
  const version = u32(b, start + 1)
  if (version !== VERSION_1 && version !== VERSION_2) return false
  return ((first >> 4) & 3) === initialType(version) && u8(b, start + 5) <= MAX_CONNECTION_ID
}

/** the header-protection mask of the packet being read */
const mask = new Uint8Array(16)

export class QuicInitialReader {
  private keys: InitialKeys | null = null
  private version = 0
  private packets = 0
  /** the CRYPTO stream's bytes gathered so far, and which ranges [start, end) are filled */
  private crypto: Uint8Array | null = null
  private readonly filled: Array<[number, number]> = []
  /** set once the reading is over: a ClientHello was found, or cannot be */
  finished = false
  /** an Initial packet decrypted: the flow speaks QUIC */
  decrypted = false

  /**
   * Feed one client datagram's UDP payload. The ClientHello once its handshake message is whole,
   * else null (`finished` says whether more datagrams could still complete it).
   */
  feed(b: Uint8Array, start: number, end: number): ClientHello | null {
    let at = start
    while (!this.finished && at < end && (u8(b, at) & 0x80) !== 0) {
      const next = this.packet(b, at, end)
      if (next < 0) break
      at = next
      const hello = this.hello()
      if (hello !== undefined) {
        this.finished = true
        return hello
      }
    }
    if (++this.packets >= MAX_PACKETS) this.finished = true
    return null
  }

  /** One long-header packet at `p`; the offset after it, or -1 when the datagram holds no more to read. */
  private packet(b: Uint8Array, p: number, end: number): number {
    if (p + 7 > end) return -1
    const first = b[p]!
    const version = u32(b, p + 1)
    let at = p + 5
    const dcidLength = b[at]!
    if (dcidLength > MAX_CONNECTION_ID || at + 1 + dcidLength >= end) return this.stop()
    const dcid = b.subarray(at + 1, at + 1 + dcidLength)
    at += 1 + dcidLength
    const scidLength = b[at]!
    if (scidLength > MAX_CONNECTION_ID) return this.stop()
    at += 1 + scidLength
    const initial = (version === VERSION_1 || version === VERSION_2) && ((first >> 4) & 3) === initialType(version)
    if (initial) {
      const tokenLength = varint(b, at, end)
      if (tokenLength < 0) return this.stop()
      at += varintLength + tokenLength
    }
    const length = varint(b, at, end)
    if (length < 0) return this.stop()
    at += varintLength
    const packetEnd = at + length
    // another packet type coalesced after the Initial (0-RTT, Handshake): skipped
    if (!initial) return packetEnd <= end ? packetEnd : -1
    if (packetEnd > end || length < 4 + SAMPLE_BYTES) return this.stop()
    if (this.keys === null) {
      this.version = version
      this.keys = newInitialKeys()
      deriveInitialKeys(version, dcid, this.keys)
    } else if (version !== this.version) return this.stop()
    const plain = this.decrypt(b, p, at, packetEnd)
    if (plain === null) return this.stop()
    this.decrypted = true
    if (!this.frames(plain)) return this.stop()
    return packetEnd
  }

  private stop(): number {
    this.finished = true
    this.crypto = null
    return -1
  }

  /** Header protection off, then AEAD: the packet's plaintext frames, or null when it does not authenticate. */
  private decrypt(b: Uint8Array, p: number, pnOffset: number, packetEnd: number): Buffer | null {
    const keys = this.keys!
    headerMask(keys.hpRounds, b, pnOffset + 4, mask)
    const first = b[p]! ^ (mask[0]! & 0x0f)
    const pnLength = (first & 3) + 1
    const header = Buffer.from(b.subarray(p, pnOffset + pnLength))
    header[0] = first
    const nonce = Buffer.from(keys.iv)
    for (let i = 0; i < pnLength; i++) {
      const byte = b[pnOffset + i]! ^ mask[1 + i]!
      header[pnOffset - p + i] = byte
      nonce[12 - pnLength + i]! ^= byte
    }
    const body = pnOffset + pnLength
    if (packetEnd - body < TAG_BYTES) return null
    const decipher = createDecipheriv("aes-128-gcm", keys.key, nonce)
    decipher.setAAD(header)
    decipher.setAuthTag(b.subarray(packetEnd - TAG_BYTES, packetEnd))
    const out = decipher.update(b.subarray(body, packetEnd - TAG_BYTES))
    try {
      decipher.final()
    } catch {
      // the tag does not match: not this connection's Initial, or damaged
      return null
    }
    return out
  }

  /** The frames of one Initial packet; CRYPTO data is kept. False on a frame an Initial may not carry. */
  private frames(plain: Uint8Array): boolean {
    const end = plain.length
    let at = 0
    while (at < end) {
      const type = plain[at]!
      at += 1
      if (type === 0x00 || type === 0x01) continue // PADDING, PING
      if (type === 0x02 || type === 0x03) {
        // ACK: largest, delay, range count, first range, then gap and length per range (and ECN counts)
        let ranges = 0
        for (let i = 0; i < 4; i++) {
          const v = varint(plain, at, end)
          if (v < 0) return false
          if (i === 2) ranges = v
          at += varintLength
        }
        const fields = 2 * ranges + (type === 0x03 ? 3 : 0)
        for (let i = 0; i < fields; i++) {
          if (varint(plain, at, end) < 0) return false
          at += varintLength
        }
        continue
      }
      if (type === 0x06) {
        const offset = varint(plain, at, end)
        if (offset < 0) return false
        at += varintLength
        const length = varint(plain, at, end)
        if (length < 0) return false
        at += varintLength
        if (at + length > end) return false
        this.keep(offset, plain.subarray(at, at + length))
        at += length
        continue
      }
      // CONNECTION_CLOSE or anything else: no more to read here
      return type === 0x1c
    }
    return true
  }

  /** CRYPTO data at stream offset `offset`; beyond the largest hello followed, it is dropped. */
  private keep(offset: number, data: Uint8Array): void {
    const stop = Math.min(offset + data.length, MAX_CLIENT_HELLO_BYTES)
    if (offset >= stop) return
    let crypto = this.crypto
    if (crypto === null || crypto.length < stop) {
      // most hellos fit in 2 KiB; the buffer grows (to 16 KiB at most) for larger ones
      const grown = new Uint8Array(Math.min(MAX_CLIENT_HELLO_BYTES, Math.max(stop, 2048, 2 * (crypto?.length ?? 0))))
      if (crypto !== null) grown.set(crypto)
      crypto = grown
      this.crypto = crypto
    }
    crypto.set(data.subarray(0, stop - offset), offset)
    this.filled.push([offset, stop])
    this.filled.sort((x, y) => x[0] - y[0])
    // merge touching ranges
    for (let i = 1; i < this.filled.length; ) {
      const previous = this.filled[i - 1]!
      const range = this.filled[i]!
      if (range[0] <= previous[1]) {
        previous[1] = Math.max(previous[1], range[1])
        this.filled.splice(i, 1)
      } else i++
    }
  }

  /** The ClientHello once its bytes from offset 0 are all here; null when they are not one; undefined while waiting. */
  private hello(): ClientHello | null | undefined {
    const crypto = this.crypto
    const head = this.filled[0]
    if (crypto === null || head === undefined || head[0] !== 0 || head[1] < 4) return undefined
    if (crypto[0] !== 1) return null
    const need = 4 + u24(crypto, 1)
    if (need > MAX_CLIENT_HELLO_BYTES) return null
    if (head[1] < need) return undefined
    return parseClientHelloBody(crypto, 4, need, false)
  }
}
