/**
 * Hostile bytes: random payloads, random windows, JSON-ish token soup and mutated real
 * ClientHellos (from sites.pcapng) must never make a hint parser or the collector throw or
 * spin, and every result stays within its bounds (host names ≤ 255 printable lower-case
 * characters, ≤ 32 method names of ≤ 64 [A-Za-z0-9_.], fingerprints of their fixed shapes).
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import fc from "fast-check"
import { describe, expect } from "vitest"
import {
  type AppHints,
  type ClientHello,
  HintCollector,
  JsonRpcMethods,
  JsonRpcStreamScanner,
  looksLikeJsonStart,
  MAX_JSONRPC_METHODS,
  measureTlsClientHello,
  parseDnsQname,
  parseDnsQnameTcp,
  parseDtlsClientHello,
  parseHttpRequestHead,
  parseTlsClientHello,
  scanJsonRpcMethods
} from "../../src/hints/index.js"
import { groupFlows } from "./capture-walker.js"

/** 1,000 cases each in CI; HASHHOUND_FUZZ_RUNS asks for more (a longer run on demand). */
const RUNS = Math.max(1_000, Number(process.env["HASHHOUND_FUZZ_RUNS"] ?? 0))
const HOSTNAME = /^[\x21-\x40\x5b-\x7e]{1,255}$/
const METHOD = /^[A-Za-z0-9_.]{1,64}$/
const JA3 = /^[0-9a-f]{32}$/
const JA4 = /^[tqd][0-9a-z]{2}[di]\d{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/

const checkHostname = (name: string | null): void => {
  if (name !== null) expect(name).toMatch(HOSTNAME)
}

const checkHello = (hello: ClientHello | null): void => {
  if (hello === null) return
  checkHostname(hello.sni)
  expect(hello.ciphers.length).toBeLessThanOrEqual(512)
  expect(hello.extensions.length).toBeLessThanOrEqual(512)
}

const checkHints = (h: AppHints): void => {
  checkHostname(h.tlsSni)
  checkHostname(h.httpHost)
  if (h.dnsQname !== ".") checkHostname(h.dnsQname)
  if (h.tlsJa3 !== null) expect(h.tlsJa3).toMatch(JA3)
  if (h.tlsJa4 !== null) expect(h.tlsJa4).toMatch(JA4)
  expect(h.jsonrpcMethods.length).toBeLessThanOrEqual(32)
  expect(new Set(h.jsonrpcMethods).size).toBe(h.jsonrpcMethods.length)
  for (const m of h.jsonrpcMethods) expect(m).toMatch(METHOD)
  expect([null, "tls", "http", "dns", "jsonrpc", "stratum"]).toContain(h.appProto)
}

/** bytes plus a window that may lie partly or wholly outside them */
const windowed = fc
  .uint8Array({ minLength: 0, maxLength: 700 })
  .chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: -4, max: b.length + 4 }), fc.integer({ min: -4, max: b.length + 4 })))

/** byte strings biased towards the tokens the parsers look for */
const tokenSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom('"method"', ":", '"', " ", "\n", "{", "[", "mining.submit", "\\", "GET / HTTP/1.1\r\n", "Host: ", "\r\n\r\n", "POST / HTTP/1.0\r\n"),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("\x16\x03\x01", "\x16\xfe\xfd", "\xc0\x0c", "\x00\x01", "\x01\x00\x02\x00")
    ),
    { maxLength: 60 }
  )
  .map((parts) => Uint8Array.from(Buffer.from(parts.join(""), "latin1")))

describe("hint parsers on random bytes", () => {
  it(`never throw and stay in bounds on random bytes and windows (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(windowed, ([b, s, e]) => {
        checkHello(parseTlsClientHello(b, s, e))
        checkHello(parseDtlsClientHello(b, s, e))
        expect(Number.isInteger(measureTlsClientHello(b, s, e))).toBe(true)
        const head = parseHttpRequestHead(b, s, e)
        if (head !== null) checkHostname(head.host)
        const q1 = parseDnsQname(b, s, e)
        const q2 = parseDnsQnameTcp(b, s, e)
        for (const q of [q1, q2]) if (q !== null && q !== ".") checkHostname(q)
        looksLikeJsonStart(b, s, e)
        const into = new JsonRpcMethods()
        scanJsonRpcMethods(b, s, e, into)
        for (const m of into.names) expect(m).toMatch(METHOD)
      }),
      { numRuns: RUNS }
    )
  })

  it(`the scanner finds exactly what a regular expression tried at every quote finds, at any window (${RUNS} cases)`, () => {
    // the oracle: the token rule written as a regular expression (gaps of up to 9 spaces, names of 1–64 characters)
    const walk = (b: Uint8Array, start: number, end: number): Array<string> => {
      const found: Array<string> = []
      const name = /^"method"[ \n\r\t]{0,9}:[ \n\r\t]{0,9}"([A-Za-z0-9_.]{1,64})"/
      for (let i = start; i + 11 <= end; i++) {
        if (b[i] !== 0x22 || (i > start && b[i - 1] === 0x5c)) continue
        const match = name.exec(Buffer.from(b.subarray(i, end)).toString("latin1"))
        if (match === null) continue
        if (!found.includes(match[1]!) && found.length < MAX_JSONRPC_METHODS) found.push(match[1]!)
      }
      return found
    }
    // dense in keys, names and the characters around them, so windows often cut a token or end right after one
    const keySoup = fc
      .array(fc.constantFrom('"method"', '"method":"x"', ":", '"', " ", "\n", "x", "mining.submit", "\\", "{"), { maxLength: 30 })
      .map((parts) => Uint8Array.from(Buffer.from(parts.join(""), "latin1")))
    fc.assert(
      fc.property(fc.oneof(tokenSoup, keySoup), fc.nat(), fc.nat(), (b, a, z) => {
        const start = b.length === 0 ? 0 : a % b.length
        const end = start + (b.length - start === 0 ? 0 : z % (b.length - start + 1))
        const into = new JsonRpcMethods()
        scanJsonRpcMethods(b, start, end, into)
        expect(into.names).toEqual(walk(b, start, end))
      }),
      { numRuns: RUNS }
    )
  })

  it(`the stream scanner over any cuts of one direction finds what one scan of the whole finds (${RUNS} cases)`, () => {
    // without backslashes: an escaped quote just after a cut is the one thing a segment cannot see
    const stream = fc
      .array(fc.constantFrom('"method"', '"method" : "a.b"', '"method":"mining.submit"', ":", '"', " ", "\n", "x", "job", "{", "12345678"), {
        maxLength: 80
      })
      .map((parts) => Uint8Array.from(Buffer.from(parts.join(""), "latin1")))
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), (b, cuts) => {
        const whole = new JsonRpcMethods()
        scanJsonRpcMethods(b, 0, b.length, whole)
        const points = [0, ...new Set(cuts.map((c) => (b.length === 0 ? 0 : c % b.length)))].sort((x, y) => x - y)
        const scanner = new JsonRpcStreamScanner(new JsonRpcMethods())
        for (let k = 0; k < points.length; k++) {
          const segment = b.slice(points[k], k + 1 < points.length ? points[k + 1] : b.length)
          scanner.scan(segment, 0, segment.length, true)
        }
        expect(scanner.methods.names).toEqual(whole.names)
      }),
      { numRuns: RUNS }
    )
  })

  it(`the stream scanner over segments of 1 to 8 bytes finds what one scan of the whole finds (${RUNS} cases)`, () => {
    // a token then spans many segments, so what a direction carries must itself be carried on
    const stream = fc
      .array(fc.constantFrom('"method"', '"method" :  "mining.notify"', '"method":"login"', ":", '"', " ", "x", "{"), { maxLength: 40 })
      .map((parts) => Uint8Array.from(Buffer.from(parts.join(""), "latin1")))
    fc.assert(
      fc.property(stream, fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 64 }), (b, sizes) => {
        const whole = new JsonRpcMethods()
        scanJsonRpcMethods(b, 0, b.length, whole)
        const scanner = new JsonRpcStreamScanner(new JsonRpcMethods())
        for (let at = 0, k = 0; at < b.length; k++) {
          const size = sizes[k % sizes.length]!
          scanner.scan(b, at, Math.min(b.length, at + size), true)
          at += size
        }
        expect(scanner.methods.names).toEqual(whole.names)
      }),
      { numRuns: RUNS }
    )
  })

  it(`token soup through the scanner and the collector (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(tokenSoup, fc.boolean()), { minLength: 1, maxLength: 12 }), fc.constantFrom(6, 17), (packets, protocol) => {
        const scanner = new JsonRpcStreamScanner(new JsonRpcMethods())
        const collector = new HintCollector()
        for (const [b, forward] of packets) {
          scanner.scan(b, 0, b.length, forward)
          collector.feed(b, 0, b.length, forward, protocol, forward ? 40000 : 3333, forward ? 3333 : 40000)
        }
        for (const m of scanner.methods.names) expect(m).toMatch(METHOD)
        checkHints(collector.result())
      }),
      { numRuns: RUNS }
    )
  })

  it(`the collector on random packet sequences, ports and protocols (${RUNS} cases)`, () => {
    const packet = fc.record({
      bytes: fc.uint8Array({ maxLength: 1500 }),
      forward: fc.boolean(),
      start: fc.integer({ min: -2, max: 1600 }),
      end: fc.integer({ min: -2, max: 1600 })
    })
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 16 }),
        fc.constantFrom(6, 17, 1, 58),
        fc.constantFrom(53, 5353, 80, 443, 3333, 8545, 40000),
        (packets, protocol, port) => {
          const collector = new HintCollector()
          let open = true
          for (const p of packets) {
            const more = collector.feed(p.bytes, p.start, p.end, p.forward, protocol, p.forward ? 50000 : port, p.forward ? port : 50000)
            expect(typeof more).toBe("boolean")
            if (!open) expect(more).toBe(false) // once done, it stays done
            open = more
          }
          checkHints(collector.result())
        }
      ),
      { numRuns: RUNS }
    )
  })

  it("scans a 64 KiB payload of near-miss tokens in linear time", () => {
    const b = Uint8Array.from(Buffer.from('"method": "'.repeat(6_000), "latin1"))
    const started = performance.now()
    for (let k = 0; k < 20; k++) {
      const into = new JsonRpcMethods()
      scanJsonRpcMethods(b, 0, b.length, into)
      expect(into.names).toEqual([])
    }
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})

describeFixtures("mutated real ClientHellos", () => {
  const hellos = (): Array<Uint8Array> => {
    const out: Array<Uint8Array> = []
    for (const flow of groupFlows(fixture("formats/ndpi/sites.pcapng")).values()) {
      const p = flow.payloads.find((x) => x.forward)
      if (flow.protocol === 6 && p !== undefined && parseTlsClientHello(p.data, p.start, p.end) !== null) out.push(p.data.slice(p.start, p.end))
    }
    return out
  }

  it(`byte flips, truncations, insertions and random segmentation never throw (${RUNS} cases)`, () => {
    const real = hellos()
    expect(real.length).toBe(55)
    const mutation = fc.record({
      which: fc.nat({ max: real.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cutTo: fc.option(fc.nat(), { nil: undefined }),
      insertAt: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 })), { nil: undefined }),
      cuts: fc.array(fc.nat(), { maxLength: 3 })
    })
    fc.assert(
      fc.property(mutation, (m) => {
        let b = (real[m.which] ?? new Uint8Array(0)).slice()
        for (const [at, v] of m.flips) if (b.length > 0) b[at % b.length] = v
        if (m.insertAt !== undefined) {
          const at = m.insertAt[0] % (b.length + 1)
          b = Uint8Array.from([...b.subarray(0, at), ...m.insertAt[1], ...b.subarray(at)])
        }
        if (m.cutTo !== undefined) b = b.slice(0, m.cutTo % (b.length + 1))
        checkHello(parseTlsClientHello(b, 0, b.length))
        const collector = new HintCollector()
        const points = [0, ...m.cuts.map((c) => c % (b.length + 1)).sort((x, y) => x - y), b.length]
        for (let k = 0; k + 1 < points.length; k++) {
          const segment = b.slice(points[k], points[k + 1])
          collector.feed(segment, 0, segment.length, true, 6, 40000, 443)
        }
        checkHints(collector.result())
      }),
      { numRuns: RUNS }
    )
  })

  it("the same hellos with flipped bytes still parse to SNI/JA3 of the right shape when they parse at all", () => {
    let parsed = 0
    for (const b of hellos()) {
      for (let at = 0; at < b.length; at += 7) {
        const copy = b.slice()
        copy[at] = (copy[at] ?? 0) ^ 0xff
        const hello = parseTlsClientHello(copy, 0, copy.length)
        checkHello(hello)
        if (hello !== null) parsed++
      }
    }
    expect(parsed).toBeGreaterThan(0)
  })
})
