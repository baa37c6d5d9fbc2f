/**
 * TLS 1.2 and 1.3 handshakes and records as they look on the wire, without cryptography.
 *
 * Holds: ClientHello builders for three client families (browser, OpenSSL-based tools such
 * as miners and curl, legacy TLS 1.2-only), the server's first flight (TLS 1.3: ServerHello,
 * ChangeCipherSpec, encrypted flight of realistic size; TLS 1.2: ServerHello, Certificate with
 * DER certificates, ServerKeyExchange, ServerHelloDone), the client's and server's finishing
 * flights, session tickets, and the per-record overhead of application data, so encrypted
 * messages have exactly the sizes a real session would show.
 * Does not hold: the timing of the handshake (see `behaviours/channel.ts`).
 */
import { deriveSeed, Rng } from "../sim/prng.js"
import { type Chunk, ConcatChunk, literal, TlsRecordsChunk } from "../sim/stream-chunks.js"
import { certificate } from "./der.js"

export type TlsVersion = "1.2" | "1.3"
export type TlsClientFamily = "browser" | "openssl" | "legacy"

const u16 = (n: number): Buffer => Buffer.of((n >>> 8) & 0xff, n & 0xff)
const u24 = (n: number): Buffer => Buffer.of((n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
const vec8 = (b: Buffer): Buffer => Buffer.concat([Buffer.of(b.length), b])
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b])
const vec24 = (b: Buffer): Buffer => Buffer.concat([u24(b.length), b])
const ext = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), vec16(body)])
const list16 = (values: ReadonlyArray<number>): Buffer => Buffer.concat(values.map(u16))

/** One TLS record (header and body). */
export const record = (type: number, body: Buffer, version = 0x0303): Buffer =>
  Buffer.concat([Buffer.of(type, version >>> 8, version & 0xff), u16(body.length), body])

const handshake = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.of(type), vec24(body)])

/** Bytes a record adds to the plaintext of application data. */
export const recordOverhead = (version: TlsVersion): number => (version === "1.3" ? 5 + 17 : 5 + 24)

const BROWSER_SUITES = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
const OPENSSL_SUITES = [
  0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027,
  0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff
]
const LEGACY_SUITES = [0xc02f, 0xc030, 0xc02b, 0xc02c, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x000a]
const SIG_ALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]

/** A ClientHello record for `sni` from a client of `family`. */
export const clientHello = (rng: Rng, sni: string, family: TlsClientFamily, alpn: ReadonlyArray<string>): Buffer => {
  const tls13 = family !== "legacy"
  const suites = family === "browser" ? BROWSER_SUITES : family === "openssl" ? OPENSSL_SUITES : LEGACY_SUITES
  const name = Buffer.from(sni, "ascii")
  const exts: Array<Buffer> = []
  if (sni !== "") exts.push(ext(0x0000, vec16(Buffer.concat([Buffer.of(0), vec16(name)]))))
  exts.push(ext(0x0017, Buffer.alloc(0)))
  exts.push(ext(0xff01, Buffer.of(0)))
  exts.push(ext(0x000a, vec16(list16(tls13 ? [0x001d, 0x0017, 0x0018, 0x0019] : [0x0017, 0x0018]))))
  exts.push(ext(0x000b, vec8(Buffer.of(0))))
  exts.push(ext(0x0023, Buffer.alloc(0)))
  if (alpn.length > 0) exts.push(ext(0x0010, vec16(Buffer.concat(alpn.map((p) => vec8(Buffer.from(p, "ascii")))))))
  if (family === "browser") exts.push(ext(0x0005, Buffer.of(1, 0, 0, 0, 0)))
  exts.push(ext(0x000d, vec16(list16(SIG_ALGS))))
  if (family === "browser") exts.push(ext(0x0012, Buffer.alloc(0)))
  if (tls13) {
    exts.push(ext(0x0033, vec16(Buffer.concat([u16(0x001d), vec16(rng.bytes(32))]))))
    exts.push(ext(0x002d, vec8(Buffer.of(1))))
    exts.push(ext(0x002b, vec8(list16(family === "browser" ? [0x0304, 0x0303] : [0x0304, 0x0303, 0x0302, 0x0301]))))
  }
  const body = (extensions: Buffer): Buffer =>
    Buffer.concat([u16(0x0303), rng.bytes(32), vec8(rng.bytes(32)), vec16(list16(suites)), vec8(Buffer.of(0)), vec16(extensions)])
  let extensions = Buffer.concat(exts)
  if (family === "browser") {
    // Chrome pads the hello to 512 bytes of handshake body
    const size = body(extensions).length + 4
    if (size < 512) extensions = Buffer.concat([extensions, ext(0x0015, Buffer.alloc(Math.max(0, 512 - size - 4)))])
  }
  return record(22, handshake(1, body(extensions)), 0x0301)
}

const serverHelloBody = (rng: Rng, version: TlsVersion): Buffer => {
  if (version === "1.3") {
    const exts = Buffer.concat([ext(0x002b, u16(0x0304)), ext(0x0033, Buffer.concat([u16(0x001d), vec16(rng.bytes(32))]))])
    return Buffer.concat([u16(0x0303), rng.bytes(32), vec8(rng.bytes(32)), u16(0x1301), Buffer.of(0), vec16(exts)])
  }
  const exts = Buffer.concat([ext(0xff01, Buffer.of(0)), ext(0x000b, vec8(Buffer.of(0))), ext(0x0023, Buffer.alloc(0)), ext(0x0017, Buffer.alloc(0))])
  return Buffer.concat([u16(0x0303), rng.bytes(32), vec8(rng.bytes(32)), u16(0xc02f), Buffer.of(0), vec16(exts)])
}

const CHANGE_CIPHER_SPEC = record(20, Buffer.of(1))

const registrable = (sni: string): string => sni.split(".").slice(-2).join(".")

const chains = new Map<string, ReadonlyArray<Buffer>>()

/**
 * Leaf and intermediate certificates for `sni` (DER). A server always shows the same chain, so
 * it is derived from the name and start date alone (and cached), not from the caller's stream.
 */
export const certificateChain = (sni: string, start: Date): ReadonlyArray<Buffer> => {
  const key = `${sni}|${start.getTime()}`
  const cached = chains.get(key)
  if (cached !== undefined) return cached
  const rng = new Rng(deriveSeed(0x0ce27, key))
  const chain = makeChain(rng, sni, rng.chance(0.5) ? "rsa2048" : "p256", start)
  if (chains.size > 4096) chains.clear()
  chains.set(key, chain)
  return chain
}

const makeChain = (rng: Rng, sni: string, leafKey: "rsa2048" | "p256", start: Date): Array<Buffer> => {
  const domain = registrable(sni === "" ? "example.net" : sni)
  const leaf = certificate(rng, {
    subject: sni === "" ? domain : sni,
    issuer: "R11",
    issuerOrg: "Let's Encrypt",
    altNames: [sni === "" ? domain : sni, `*.${domain}`],
    key: leafKey,
    ca: false,
    notBefore: new Date(start.getTime() - 30 * 86_400_000),
    days: 90
  })
  const intermediate = certificate(rng, {
    subject: "R11",
    issuer: "ISRG Root X1",
    issuerOrg: "Internet Security Research Group",
    altNames: [],
    key: "rsa2048",
    ca: true,
    notBefore: new Date(start.getTime() - 400 * 86_400_000),
    days: 1095
  })
  return [leaf, intermediate]
}

/**
 * The server's first flight. TLS 1.3: ServerHello, CCS, then one encrypted record of the
 * size EncryptedExtensions + Certificate + CertificateVerify + Finished would have.
 */
export const serverFlight = (rng: Rng, sni: string, version: TlsVersion, start: Date): Chunk => {
  const hello = record(22, handshake(2, serverHelloBody(rng, version)))
  const chain = certificateChain(sni, start)
  if (version === "1.3") {
    const certs = chain.reduce((sum, der) => sum + 3 + der.length + 2, 0)
    const inner = 4 + 6 + (4 + 1 + 3 + certs) + (4 + 4 + 256) + (4 + 32)
    return new ConcatChunk([literal(Buffer.concat([hello, CHANGE_CIPHER_SPEC])), new TlsRecordsChunk(inner, 17, 23, 0x0303, 16_384, rng.nextU32())])
  }
  const certMsg = handshake(11, vec24(Buffer.concat(chain.map((der) => vec24(der)))))
  const ske = handshake(12, Buffer.concat([Buffer.of(3), u16(0x001d), vec8(rng.bytes(32)), u16(0x0804), vec16(rng.bytes(256))]))
  const done = handshake(14, Buffer.alloc(0))
  return literal(Buffer.concat([hello, record(22, Buffer.concat([certMsg, ske, done]))]))
}

/** The client's finishing flight: TLS 1.3 CCS + encrypted Finished; TLS 1.2 key exchange, CCS, Finished. */
export const clientFinish = (rng: Rng, version: TlsVersion): Chunk => {
  if (version === "1.3") return literal(Buffer.concat([CHANGE_CIPHER_SPEC, record(23, rng.bytes(53))]))
  return literal(Buffer.concat([record(22, handshake(16, vec8(rng.bytes(32)))), CHANGE_CIPHER_SPEC, record(22, rng.bytes(40))]))
}

/** The server's closing flight: TLS 1.3 two session tickets; TLS 1.2 ticket, CCS, Finished. */
export const serverFinish = (rng: Rng, version: TlsVersion): Chunk => {
  if (version === "1.3") return new TlsRecordsChunk(2 * 250, 17, 23, 0x0303, 250, rng.nextU32())
  const ticket = handshake(4, Buffer.concat([Buffer.of(0, 0, 0x1c, 0x20), vec16(rng.bytes(192))]))
  return literal(Buffer.concat([record(22, ticket), CHANGE_CIPHER_SPEC, record(22, rng.bytes(40))]))
}

/** Application data carrying `plainLength` bytes. */
export const applicationData = (version: TlsVersion, plainLength: number, salt: number): TlsRecordsChunk =>
  new TlsRecordsChunk(plainLength, version === "1.3" ? 17 : 24, 23, 0x0303, 16_384, salt)

/** A close_notify alert. */
export const closeNotify = (version: TlsVersion, salt: number): TlsRecordsChunk =>
  new TlsRecordsChunk(2, version === "1.3" ? 17 : 24, version === "1.3" ? 23 : 21, 0x0303, 16_384, salt)
