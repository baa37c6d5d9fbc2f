/**
 * DNS messages: A/AAAA queries and their answers, byte-exact (RFC 1035 wire format with a
 * compression pointer to the question name).
 *
 * Holds: `dnsQuery` and `dnsAnswer`.
 * Does not hold: resolver behaviour or caching (see `behaviours/world.ts`).
 */

const encodeName = (name: string): Buffer => {
  const parts = name.split(".").filter((part) => part !== "")
  return Buffer.concat([...parts.map((part) => Buffer.concat([Buffer.of(part.length), Buffer.from(part, "ascii")])), Buffer.of(0)])
}

const header = (id: number, flags: number, answers: number): Buffer => {
  const h = Buffer.alloc(12)
  h.writeUInt16BE(id & 0xffff, 0)
  h.writeUInt16BE(flags, 2)
  h.writeUInt16BE(1, 4)
  h.writeUInt16BE(answers, 6)
  return h
}

const question = (name: string, qtype: number): Buffer => Buffer.concat([encodeName(name), Buffer.of(qtype >>> 8, qtype & 0xff, 0, 1)])

/** A recursive query for `name` (type 1 = A, 28 = AAAA). */
export const dnsQuery = (id: number, name: string, qtype: number): Buffer =>
  Buffer.concat([header(id, 0x0100, 0), question(name, qtype)])

/** The answer to `dnsQuery(id, name, qtype)` with `addresses` (4 or 16 bytes each). */
export const dnsAnswer = (id: number, name: string, qtype: number, addresses: ReadonlyArray<Uint8Array>, ttlS: number): Buffer => {
  const answers = addresses.map((address) => {
    const rr = Buffer.alloc(12)
    rr.writeUInt16BE(0xc00c, 0)
    rr.writeUInt16BE(qtype, 2)
    rr.writeUInt16BE(1, 4)
    rr.writeUInt32BE(ttlS >>> 0, 6)
    rr.writeUInt16BE(address.length, 10)
    return Buffer.concat([rr, Buffer.from(address)])
  })
  return Buffer.concat([header(id, 0x8180, addresses.length), question(name, qtype), ...answers])
}
