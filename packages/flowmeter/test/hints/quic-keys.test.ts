/**
 * The in-place QUIC Initial key derivation and header-protection AES against RFC 9001 Appendix A
 * (version 1) and RFC 9369 Appendix A (version 2), and against node:crypto on random inputs.
 */
import fc from "fast-check"
import { createCipheriv, createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { deriveInitialKeys, headerMask, newInitialKeys } from "../../src/hints/quic-keys.js"

const hex = (text: string): Buffer => Buffer.from(text, "hex")
const DCID = hex("8394c8f03e515708")

/** The header-protection key back from its round keys (the first four words are the key). */
const hpKey = (rounds: Int32Array): string =>
  Buffer.from(Array.from(rounds.subarray(0, 4)).flatMap((w) => [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff])).toString("hex")

describe("QUIC Initial keys computed in place", () => {
  it("RFC 9001 A.1 and RFC 9369 A.1: the client's key, IV and header-protection key", () => {
    const keys = newInitialKeys()
    deriveInitialKeys(1, DCID, keys)
    expect([keys.key.toString("hex"), keys.iv.toString("hex"), hpKey(keys.hpRounds)]).toEqual([
      "1f369613dd76d5467730efcbe3b1a22d",
      "fa044b2f42a3fd3b46fb255c",
      "9f50449e04a0e810283a1e9933adedd2"
    ])
    deriveInitialKeys(0x6b3343cf, DCID, keys)
    expect([keys.key.toString("hex"), keys.iv.toString("hex"), hpKey(keys.hpRounds)]).toEqual([
      "8b1a0bc121284290a29e0971b5cd045d",
      "91f73e2351d8fa91660e909f",
      "45b95e15235d6f45a6b19cbcb0294ba9"
    ])
  })

  it("RFC 9001 A.2: the header-protection mask of the client's Initial sample", () => {
    const keys = newInitialKeys()
    deriveInitialKeys(1, DCID, keys)
    const mask = new Uint8Array(16)
    headerMask(keys.hpRounds, hex("d1b1c98dd7689fb8ec11d242b123dc9b"), 0, mask)
    expect(Buffer.from(mask.subarray(0, 5)).toString("hex")).toBe("437b9aec36")
  })

  it("equals node:crypto's HKDF and AES-128-ECB for random connection IDs and samples", () => {
    const expand = (secret: Buffer, label: string, length: number): Buffer => {
      const full = Buffer.from(`tls13 ${label}`)
      return createHmac("sha256", secret)
        .update(Buffer.concat([Buffer.from([0, length, full.length]), full, Buffer.from([0, 1])]))
        .digest()
        .subarray(0, length)
    }
    const keys = newInitialKeys()
    const mask = new Uint8Array(16)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (dcid, sample) => {
        deriveInitialKeys(1, dcid, keys)
        const initial = createHmac("sha256", hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")).update(dcid).digest()
        const client = expand(initial, "client in", 32)
        const hp = expand(client, "quic hp", 16)
        expect(keys.key.equals(expand(client, "quic key", 16))).toBe(true)
        expect(keys.iv.equals(expand(client, "quic iv", 12))).toBe(true)
        headerMask(keys.hpRounds, sample, 0, mask)
        expect(Buffer.from(mask).equals(createCipheriv("aes-128-ecb", hp, null).update(sample))).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})
