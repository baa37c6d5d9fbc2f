/**
 * SSH-2 on the wire: version banners, KEXINIT, curve25519 key exchange, NEWKEYS and then
 * chacha20-poly1305 binary packets (OpenSSH's default: encrypted length, body padded to 8
 * bytes, 16-byte tag), so interactive keystrokes come out as the familiar 36-byte segments.
 *
 * Holds: builders for the cleartext handshake messages and `sshEncryptedLength` (the wire
 * size of an encrypted packet for a payload size).
 * Does not hold: session timing (see `behaviours/ssh.ts`).
 */
import type { Rng } from "../sim/prng.js"

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0, 0)
  return b
}
const str = (b: Buffer | string): Buffer => {
  const body = typeof b === "string" ? Buffer.from(b, "ascii") : b
  return Buffer.concat([u32(body.length), body])
}

/** A cleartext binary packet (block size 8) around `payload`. */
const binaryPacket = (rng: Rng, payload: Buffer): Buffer => {
  let padding = 8 - ((5 + payload.length) % 8)
  if (padding < 4) padding += 8
  return Buffer.concat([u32(1 + payload.length + padding), Buffer.of(padding), payload, rng.bytes(padding)])
}

export const sshBanner = (software: string): Buffer => Buffer.from(`SSH-2.0-${software}\r\n`, "ascii")

export const sshKexInit = (rng: Rng, client: boolean): Buffer => {
  const kex = client
    ? "curve25519-sha256,curve25519-sha256@libssh.org,sntrup761x25519-sha512@openssh.com,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com"
    : "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,kex-strict-s-v00@openssh.com"
  const hostKeys = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256"
  const ciphers = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"
  const macs = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com"
  const compression = "none,zlib@openssh.com"
  const payload = Buffer.concat([
    Buffer.of(20),
    rng.bytes(16),
    str(kex),
    str(hostKeys),
    str(ciphers),
    str(ciphers),
    str(macs),
    str(macs),
    str(compression),
    str(compression),
    str(""),
    str(""),
    Buffer.of(0),
    u32(0)
  ])
  return binaryPacket(rng, payload)
}

export const sshKexEcdhInit = (rng: Rng): Buffer => binaryPacket(rng, Buffer.concat([Buffer.of(30), str(rng.bytes(32))]))

const mpint = (rng: Rng, bytes: number): Buffer => {
  const value = rng.bytes(bytes)
  value[0] = (value[0]! & 0x7f) | 0x40
  return str(value)
}

export const sshKexEcdhReply = (rng: Rng): Buffer => {
  const hostKey = Buffer.concat([str("ecdsa-sha2-nistp256"), str("nistp256"), str(Buffer.concat([Buffer.of(4), rng.bytes(64)]))])
  const signature = Buffer.concat([str("ecdsa-sha2-nistp256"), str(Buffer.concat([mpint(rng, 32), mpint(rng, 32)]))])
  return binaryPacket(rng, Buffer.concat([Buffer.of(31), str(hostKey), str(rng.bytes(32)), str(signature)]))
}

export const sshNewKeys = (rng: Rng): Buffer => binaryPacket(rng, Buffer.of(21))

/** Wire bytes of a chacha20-poly1305 packet carrying `payload` bytes: length, body padded to 8, tag. */
export const sshEncryptedLength = (payload: number): number => {
  let body = 1 + payload + 4
  body = Math.ceil(body / 8) * 8
  return 4 + body + 16
}
