/**
 * Test support: client QUIC Initial packets made as a client makes them (RFC 9001 §5), so the
 * hint collector's decryption can be checked on hellos split, shuffled and coalesced at will.
 *
 * Holds: `cryptoFrame`, `paddingFrames`, `pingFrame`, `ackFrame` and `quicInitial` (long header, Initial
 * keys from the DCID, AEAD, header protection) for QUIC versions 1 and 2.
 * Does not hold: anything the meter uses; the key derivation is written out again here, from
 * the RFC, rather than imported, so that a mistake in one is not repeated in the other.
 */
import { createCipheriv, createHmac } from "node:crypto"

export const QUIC_V1 = 0x00000001
export const QUIC_V2 = 0x6b3343cf

const varint = (value: number): Buffer => {
  if (value < 64) return Buffer.from([value])
  if (value < 16384) return Buffer.from([0x40 | (value >> 8), value & 0xff])
  const b = Buffer.alloc(4)
  b.writeUInt32BE((0x80000000 | value) >>> 0)
  return b
}

/** A CRYPTO frame carrying `data` at stream offset `offset`. */
export const cryptoFrame = (offset: number, data: Buffer): Buffer => Buffer.concat([Buffer.from([0x06]), varint(offset), varint(data.length), data])

export const pingFrame = (): Buffer => Buffer.from([0x01])

/** An ACK frame with one further range, and ECN counts when `ecn` (type 0x03). */
export const ackFrame = (ecn = false): Buffer =>
  Buffer.concat([Buffer.from([ecn ? 0x03 : 0x02]), varint(5), varint(300), varint(1), varint(2), varint(0), varint(1), ...(ecn ? [varint(1), varint(0), varint(70)] : [])])

export const paddingFrames = (count: number): Buffer => Buffer.alloc(count)

const hkdfLabel = (secret: Buffer, label: string, length: number): Buffer => {
  const full = Buffer.from(`tls13 ${label}`, "latin1")
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0, 1])])
  return createHmac("sha256", secret).update(info).digest().subarray(0, length)
}

export interface InitialOptions {
  readonly version?: number
  readonly dcid: Buffer
  readonly scid?: Buffer
  readonly packetNumber?: number
  readonly token?: Buffer
  /** the frames: CRYPTO, PADDING, PING … */
  readonly frames: Buffer
}

/** One protected client Initial packet. */
export const quicInitial = (o: InitialOptions): Buffer => {
  const version = o.version ?? QUIC_V1
  const v2 = version === QUIC_V2
  const salt = Buffer.from(v2 ? "0dede3def700a6db819381be6e269dcbf9bd2ed9" : "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "hex")
  const initial = createHmac("sha256", salt).update(o.dcid).digest()
  const client = hkdfLabel(initial, "client in", 32)
  const prefix = v2 ? "quicv2 " : "quic "
  const key = hkdfLabel(client, `${prefix}key`, 16)
  const iv = hkdfLabel(client, `${prefix}iv`, 12)
  const hp = hkdfLabel(client, `${prefix}hp`, 16)

  const pn = o.packetNumber ?? 0
  const pnBytes = Buffer.from([(pn >> 8) & 0xff, pn & 0xff]) // a 2-byte packet number
  const scid = o.scid ?? Buffer.from("c0ffee00", "hex")
  const token = o.token ?? Buffer.alloc(0)
  const first = 0xc0 | ((v2 ? 1 : 0) << 4) | (pnBytes.length - 1)
  const versionBytes = Buffer.alloc(4)
  versionBytes.writeUInt32BE(version >>> 0)
  const length = pnBytes.length + o.frames.length + 16
  const header = Buffer.concat([
    Buffer.from([first]),
    versionBytes,
    Buffer.from([o.dcid.length]),
    o.dcid,
    Buffer.from([scid.length]),
    scid,
    varint(token.length),
    token,
    Buffer.from([0x40 | (length >> 8), length & 0xff]),
    pnBytes
  ])
  const nonce = Buffer.from(iv)
  nonce[10]! ^= pnBytes[0]!
  nonce[11]! ^= pnBytes[1]!
  const cipher = createCipheriv("aes-128-gcm", key, nonce)
  cipher.setAAD(header)
  const sealed = Buffer.concat([cipher.update(o.frames), cipher.final(), cipher.getAuthTag()])
  const packet = Buffer.concat([header, sealed])
  // header protection: a sample 4 bytes after the packet number's start
  const pnOffset = header.length - pnBytes.length
  const mask = createCipheriv("aes-128-ecb", hp, null).update(packet.subarray(pnOffset + 4, pnOffset + 20))
  packet[0]! ^= mask[0]! & 0x0f
  for (let i = 0; i < pnBytes.length; i++) packet[pnOffset + i]! ^= mask[1 + i]!
  return packet
}
