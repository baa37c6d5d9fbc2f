/**
 * QUIC Initial keys (RFC 9001 §5.2, RFC 9369 §3.3) and header-protection masks, computed in
 * place: SHA-256, HMAC and HKDF-Expand-Label over preallocated typed arrays, and one-block
 * AES-128 encryption.
 *
 * Holds: `deriveInitialKeys`, which writes a client's Initial key, IV and header-protection key
 * for a Destination Connection ID into an `InitialKeys`, and `headerMask`, the AES-128-ECB
 * encryption of a 16-byte sample. node:crypto does the same with a native object per call (five
 * HMACs and a cipher per QUIC flow), whose creation and collection cost about twice the work
 * itself; these run on buffers made once.
 * Does not hold: the AEAD (quic-initial.ts decrypts with node:crypto's AES-128-GCM, which
 * authenticates the packet) or any packet parsing. Not constant-time: the inputs are public
 * (anyone on the path derives the same keys), so nothing secret can leak.
 */

const VERSION_2 = 0x6b3343cf
const SALT_1 = Uint8Array.from(Buffer.from("38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "hex"))
const SALT_2 = Uint8Array.from(Buffer.from("0dede3def700a6db819381be6e269dcbf9bd2ed9", "hex"))

// ---------------------------------------------------------------- SHA-256

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
const W = new Int32Array(64)

/** One SHA-256 compression of the 64-byte block `b[at..at+64)` into state `h`. */
const compress = (h: Int32Array, b: Uint8Array, at: number): void => {
  for (let i = 0; i < 16; i++) W[i] = (b[at + 4 * i]! << 24) | (b[at + 4 * i + 1]! << 16) | (b[at + 4 * i + 2]! << 8) | b[at + 4 * i + 3]!
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!
    const y = W[i - 2]!
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
  }
  let a = h[0]!
  let b1 = h[1]!
  let c = h[2]!
  let d = h[3]!
  let e = h[4]!
  let f = h[5]!
  let g = h[6]!
  let k = h[7]!
  for (let i = 0; i < 64; i++) {
    const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0
    k = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b1
    b1 = a
    a = (t1 + t2) | 0
  }
  h[0] = (h[0]! + a) | 0
  h[1] = (h[1]! + b1) | 0
  h[2] = (h[2]! + c) | 0
  h[3] = (h[3]! + d) | 0
  h[4] = (h[4]! + e) | 0
  h[5] = (h[5]! + f) | 0
  h[6] = (h[6]! + g) | 0
  h[7] = (h[7]! + k) | 0
}

/** the message block being filled, and the SHA-256 state it goes into */
const block = new Uint8Array(64)
const state = new Int32Array(8)

/**
 * Continue a hash whose state `h` has taken `before` bytes (whole blocks) with `m` (at most 55
 * bytes, so it and the padding fit one block), and write the digest to `out`.
 */
const finish = (h: Int32Array, before: number, m: Uint8Array, out: Uint8Array): void => {
  block.fill(0)
  block.set(m)
  block[m.length] = 0x80
  const bits = (before + m.length) * 8
  block[62] = bits >>> 8
  block[63] = bits & 0xff
  state.set(h)
  compress(state, block, 0)
  for (let i = 0; i < 8; i++) {
    const v = state[i]!
    out[4 * i] = v >>> 24
    out[4 * i + 1] = (v >>> 16) & 0xff
    out[4 * i + 2] = (v >>> 8) & 0xff
    out[4 * i + 3] = v & 0xff
  }
}

/** HMAC-SHA256 with its key's inner and outer states computed once. */
class Hmac {
  readonly inner = new Int32Array(8)
  readonly outer = new Int32Array(8)
  private readonly digest = new Uint8Array(32)

  /** Key with `key` (at most 64 bytes). */
  setKey(key: Uint8Array): void {
    for (const [pad, target] of [
      [0x36, this.inner],
      [0x5c, this.outer]
    ] as const) {
      block.fill(pad)
      for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad
      target.set(H0)
      compress(target, block, 0)
    }
  }

  /** HMAC of `m` (at most 55 bytes) into `out` (32 bytes). */
  mac(m: Uint8Array, out: Uint8Array): void {
    finish(this.inner, 64, m, this.digest)
    finish(this.outer, 64, this.digest, out)
  }
}

const hmac = new Hmac()
const initialSecret = new Uint8Array(32)
const clientSecret = new Uint8Array(32)
const expanded = new Uint8Array(32)

/** HKDF-Expand-Label's `info` for an empty context and one output block: length, "tls13 " label, 0, then the block counter 1. */
const labelInfo = (label: string, length: number): Uint8Array => {
  const full = `tls13 ${label}`
  const info = new Uint8Array(2 + 1 + full.length + 1 + 1)
  info[0] = length >> 8
  info[1] = length & 0xff
  info[2] = full.length
  for (let i = 0; i < full.length; i++) info[3 + i] = full.charCodeAt(i)
  info[3 + full.length] = 0
  info[4 + full.length] = 1
  return info
}

const CLIENT_IN = labelInfo("client in", 32)
const LABELS = {
  1: { key: labelInfo("quic key", 16), iv: labelInfo("quic iv", 12), hp: labelInfo("quic hp", 16) },
  2: { key: labelInfo("quicv2 key", 16), iv: labelInfo("quicv2 iv", 12), hp: labelInfo("quicv2 hp", 16) }
} as const

export interface InitialKeys {
  readonly key: Buffer
  readonly iv: Buffer
  /** the header-protection key, expanded for AES-128 (44 round-key words) */
  readonly hpRounds: Int32Array
}

export const newInitialKeys = (): InitialKeys => ({ key: Buffer.alloc(16), iv: Buffer.alloc(12), hpRounds: new Int32Array(44) })

/** A client's Initial keys for QUIC `version` (1 or 2) and the Destination Connection ID `dcid` (at most 20 bytes). */
export const deriveInitialKeys = (version: number, dcid: Uint8Array, out: InitialKeys): void => {
  hmac.setKey(version === VERSION_2 ? SALT_2 : SALT_1)
  hmac.mac(dcid, initialSecret) // HKDF-Extract
  hmac.setKey(initialSecret)
  hmac.mac(CLIENT_IN, clientSecret)
  hmac.setKey(clientSecret)
  const labels = LABELS[version === VERSION_2 ? 2 : 1]
  hmac.mac(labels.key, expanded)
  out.key.set(expanded.subarray(0, 16))
  hmac.mac(labels.iv, expanded)
  out.iv.set(expanded.subarray(0, 12))
  hmac.mac(labels.hp, expanded)
  expandAesKey(expanded, out.hpRounds)
}

// ---------------------------------------------------------------- AES-128, one block

const SBOX = new Uint8Array(256)
/** T-table: SubBytes then MixColumns for one byte in the top row; the others are rotations */
const T0 = new Int32Array(256)
{
  // the S-box from GF(2^8) inverses (FIPS-197 §5.1.1)
  let p = 1
  let q = 1
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0)
    q ^= q << 1
    q ^= q << 2
    q ^= q << 4
    q &= 0xff
    if (q & 0x80) q ^= 0x09
    const x = q ^ ((q << 1) | (q >> 7)) ^ ((q << 2) | (q >> 6)) ^ ((q << 3) | (q >> 5)) ^ ((q << 4) | (q >> 4))
    SBOX[p] = (x ^ 0x63) & 0xff
  } while (p !== 1)
  SBOX[0] = 0x63
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x1b : 0)) & 0xff
    T0[i] = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)
  }
}

const rotr8 = (v: number): number => (v >>> 8) | (v << 24)

/** The 44 round-key words of AES-128 key `key[0..16)`. */
const expandAesKey = (key: Uint8Array, w: Int32Array): void => {
  for (let i = 0; i < 4; i++) w[i] = (key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!
  let rcon = 1
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1]!
    if (i % 4 === 0) {
      t = (SBOX[(t >>> 16) & 0xff]! << 24) | (SBOX[(t >>> 8) & 0xff]! << 16) | (SBOX[t & 0xff]! << 8) | SBOX[t >>> 24]!
      t ^= rcon << 24
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x1b : 0)) & 0xff
    }
    w[i] = w[i - 4]! ^ t
  }
}

const s = new Int32Array(4)
const t = new Int32Array(4)

/** AES-128 encryption of the 16 bytes at `sample[at..]` with round keys `w`, into `mask[0..16)` (header protection). */
export const headerMask = (w: Int32Array, sample: Uint8Array, at: number, mask: Uint8Array): void => {
  for (let i = 0; i < 4; i++) {
    s[i] = ((sample[at + 4 * i]! << 24) | (sample[at + 4 * i + 1]! << 16) | (sample[at + 4 * i + 2]! << 8) | sample[at + 4 * i + 3]!) ^ w[i]!
  }
  for (let round = 1; round < 10; round++) {
    for (let c = 0; c < 4; c++) {
      t[c] =
        T0[s[c]! >>> 24]! ^
        rotr8(T0[(s[(c + 1) & 3]! >>> 16) & 0xff]!) ^
        rotr8(rotr8(T0[(s[(c + 2) & 3]! >>> 8) & 0xff]!)) ^
        rotr8(rotr8(rotr8(T0[s[(c + 3) & 3]! & 0xff]!))) ^
        w[4 * round + c]!
    }
    s.set(t)
  }
  for (let c = 0; c < 4; c++) {
    const v =
      ((SBOX[s[c]! >>> 24]! << 24) | (SBOX[(s[(c + 1) & 3]! >>> 16) & 0xff]! << 16) | (SBOX[(s[(c + 2) & 3]! >>> 8) & 0xff]! << 8) | SBOX[s[(c + 3) & 3]! & 0xff]!) ^
      w[40 + c]!
    mask[4 * c] = v >>> 24
    mask[4 * c + 1] = (v >>> 16) & 0xff
    mask[4 * c + 2] = (v >>> 8) & 0xff
    mask[4 * c + 3] = v & 0xff
  }
}
