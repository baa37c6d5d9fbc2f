/**
 * Edge cases of the hint parsers on small hand-made messages: DNS compression loops and
 * limits, HTTP method/Host rules, JSON-RPC name bounds and the 32-name cap, and when the
 * collector stops asking for packets. Needs no fixtures.
 */
import { it } from "@effect/vitest"
import { describe, expect } from "vitest"
import {
  giveScanner,
  HintCollector,
  JsonRpcMethods,
  JsonRpcStreamScanner,
  looksLikeJsonStart,
  MAX_JSONRPC_METHODS,
  parseDnsQname,
  parseDnsQnameTcp,
  parseHttpRequestHead,
  scanJsonRpcMethods,
  takeScanner,
  UNRECOGNISED_PACKET_LIMIT
} from "../../src/hints/index.js"

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "latin1"))

/** A DNS query header (id 0x1234, RD, one question) followed by `name` and QTYPE/QCLASS. */
const dnsQuery = (name: ReadonlyArray<number>): Uint8Array =>
  Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 1, 0, 1])

const labels = (...parts: Array<string>): Array<number> => [...parts.flatMap((p) => [p.length, ...Buffer.from(p)]), 0]

const methods = (text: string): ReadonlyArray<string> => {
  const into = new JsonRpcMethods()
  const b = bytes(text)
  scanJsonRpcMethods(b, 0, b.length, into)
  return into.names
}

describe("DNS QNAME", () => {
  it("reads the first question, lower-cased; the root is '.'", () => {
    expect(parseDnsQname(dnsQuery(labels("WWW", "Example", "org")), 0, 33)).toBe("www.example.org")
    expect(parseDnsQname(dnsQuery([0]), 0, 17)).toBe(".")
  })

  it("refuses pointer loops, forward pointers, pointers into the header, 0x40/0x80 label types", () => {
    expect(parseDnsQname(dnsQuery([0xc0, 12]), 0, 18)).toBeNull() // points at itself
    expect(parseDnsQname(dnsQuery([1, 0x61, 0xc0, 12]), 0, 20)).toBeNull() // points back at its own start, a loop
    expect(parseDnsQname(dnsQuery([0xc0, 20, 0]), 0, 19)).toBeNull() // forwards
    expect(parseDnsQname(dnsQuery([0xc0, 2]), 0, 18)).toBeNull() // into the header
    expect(parseDnsQname(dnsQuery([0x41, 0x61]), 0, 18)).toBeNull()
    expect(parseDnsQname(dnsQuery([0x81, 0x61]), 0, 18)).toBeNull()
  })

  it("refuses names over 255 characters, truncated names, a missing QTYPE/QCLASS, QDCOUNT 0, binary labels", () => {
    const long = labels(...Array<string>(5).fill("a".repeat(60)))
    expect(parseDnsQname(dnsQuery(long), 0, 12 + long.length + 4)).toBeNull()
    const ok = labels(...Array<string>(4).fill("a".repeat(60)))
    expect(parseDnsQname(dnsQuery(ok), 0, 12 + ok.length + 4)?.length).toBe(243)
    const q = dnsQuery(labels("tcpdump", "org"))
    expect(parseDnsQname(q, 0, q.length - 1)).toBeNull()
    expect(parseDnsQname(q, 0, 20)).toBeNull()
    const none = q.slice()
    none[5] = 0
    expect(parseDnsQname(none, 0, none.length)).toBeNull()
    expect(parseDnsQname(dnsQuery([2, 0x61, 0x00, 0]), 0, 21)).toBeNull()
    expect(parseDnsQname(dnsQuery([3, 0x61, 0x2e, 0x62, 0]), 0, 22)).toBeNull()
  })

  it("over TCP: a 2-byte length prefix bounds the message", () => {
    const q = dnsQuery(labels("tcpdump", "org"))
    const tcp = Uint8Array.from([q.length >> 8, q.length & 0xff, ...q])
    expect(parseDnsQnameTcp(tcp, 0, tcp.length)).toBe("tcpdump.org")
    tcp[1] = 10
    expect(parseDnsQnameTcp(tcp, 0, tcp.length)).toBeNull()
  })
})

describe("HTTP request head", () => {
  it("takes the Host header case-insensitively, trimmed, port kept", () => {
    const b = bytes("PUT /x HTTP/1.1\r\nUser-Agent: a\r\nhOsT: \t Pool.Example:8080 \r\n\r\n{}")
    expect(parseHttpRequestHead(b, 0, b.length)).toEqual({ method: "PUT", host: "pool.example:8080", headComplete: true, bodyStart: b.length - 2 })
  })

  it("knows the eight methods and nothing else; needs an HTTP/1.x request line", () => {
    for (const m of ["GET", "POST", "PUT", "HEAD", "OPTIONS", "CONNECT", "PATCH", "DELETE"]) {
      const b = bytes(`${m} / HTTP/1.0\n\n`)
      expect(parseHttpRequestHead(b, 0, b.length)?.method).toBe(m)
    }
    for (const t of ["GETX / HTTP/1.1\r\n", "TRACE / HTTP/1.1\r\n", "GET / HTTP/2\r\n", "GET /\r\n", "GET / HTTP/1.1", "get / HTTP/1.1\r\n"]) {
      const b = bytes(t)
      expect(parseHttpRequestHead(b, 0, b.length), t).toBeNull()
    }
  })

  it("an open head reports no body yet", () => {
    const b = bytes("GET / HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n")
    expect(parseHttpRequestHead(b, 0, b.length)).toEqual({ method: "GET", host: "a.example", headComplete: false, bodyStart: -1 })
  })
})

describe("JSON-RPC method scanner", () => {
  it("finds names with whitespace around ':' and keeps the order of first use, without repeats", () => {
    expect(methods('{"id":1,"method" : "b"}\n{"method":\t"a"}\n{"method":"b"}')).toEqual(["b", "a"])
  })

  it("bounds names to 1..64 characters of [A-Za-z0-9_.]", () => {
    const n64 = "m".repeat(64)
    expect(methods(`{"method":"${n64}"}`)).toEqual([n64])
    expect(methods(`{"method":"${n64}x"}`)).toEqual([])
    expect(methods('{"method":""}{"method":"a-b"}{"method":"a b"}{"method":"é"}')).toEqual([])
    expect(methods('{"method":"a\\"b"}')).toEqual([])
  })

  it("ignores an escaped \\\"method\\\" inside a string and a name cut by the end", () => {
    expect(methods('{"error":"bad \\"method\\":\\"x\\""}')).toEqual([])
    expect(methods('{"method":"mining.subscr')).toEqual([])
  })

  it("tries every byte as a token start, so overlapping pairs both count, cut anywhere or not", () => {
    // found by the cut-equivalence property in CI: the whole used to skip the second pair, a cut before it did not
    const text = '"method""method":"method":"mining.submit"'
    expect(methods(text)).toEqual(["method", "mining.submit"])
    for (let cut = 0; cut <= text.length; cut++) {
      const scanner = new JsonRpcStreamScanner(new JsonRpcMethods())
      for (const part of [bytes(text.slice(0, cut)), bytes(text.slice(cut))]) scanner.scan(part, 0, part.length, true)
      expect(scanner.methods.names).toEqual(["method", "mining.submit"])
    }
  })

  it("keeps at most 32 distinct names", () => {
    const text = Array.from({ length: 40 }, (_, k) => `{"method":"m${k}"}`).join("\n")
    const names = methods(text)
    expect(names.length).toBe(MAX_JSONRPC_METHODS)
    expect(names[31]).toBe("m31")
  })

  it("a pooled scanner carries nothing into its next flow; a split token is still found within one", () => {
    const first = new JsonRpcMethods()
    const scanner = takeScanner(first)
    // the first flow ends in the middle of a token
    const head = bytes('{"id":1,"method":"mining.sub')
    scanner.scan(head, 0, head.length, true)
    expect(first.names).toEqual([])
    giveScanner(scanner)
    const second = new JsonRpcMethods()
    const again = takeScanner(second)
    expect(again).toBe(scanner)
    const tail = bytes('scribe","params":[]}')
    again.scan(tail, 0, tail.length, true)
    expect(second.names).toEqual([])
    expect(first.names).toEqual([])
    // within one flow the same cut is joined
    again.scan(head, 0, head.length, false)
    again.scan(tail, 0, tail.length, false)
    expect(second.names).toEqual(["mining.subscribe"])
    giveScanner(again)
  })

  it("a collector gives its scanner back when it is released; its result stays", () => {
    const collector = new HintCollector()
    const line = bytes('{"id":1,"method":"login","params":{}}\n')
    expect(collector.feed(line, 0, line.length, true, 6, 40000, 3333)).toBe(true)
    collector.release()
    expect(collector.result().jsonrpcMethods).toEqual(["login"])
    expect(collector.result().appProto).toBe("jsonrpc")
    const more = bytes('{"id":2,"method":"submit"}\n')
    expect(collector.feed(more, 0, more.length, true, 6, 40000, 3333)).toBe(false)
    expect(collector.result().jsonrpcMethods).toEqual(["login"])
    collector.release()
  })

  it("recognises JSON text openings only", () => {
    for (const t of [' \r\n{"id":1}', "{}", '[{"a":1}]', "[1,2]", "[]", "{"]) expect(looksLikeJsonStart(bytes(t), 0, t.length), t).toBe(true)
    for (const t of ["{x", "[x", "x{", "", "   ", "{ 1}"]) expect(looksLikeJsonStart(bytes(t), 0, t.length), t).toBe(false)
  })
})

describe("HintCollector stopping rules", () => {
  it("ICMP and other protocols: done at once", () => {
    const c = new HintCollector()
    expect(c.feed(bytes("{}"), 0, 2, true, 1, 0, 0)).toBe(false)
    expect(c.result().appProto).toBeNull()
  })

  it("empty payloads do not count; unrecognised payloads end it after the limit", () => {
    const c = new HintCollector()
    const junk = bytes("\x00\x01binary")
    expect(c.feed(junk, 3, 3, true, 6, 1000, 2000)).toBe(true)
    for (let k = 1; k < UNRECOGNISED_PACKET_LIMIT; k++) expect(c.feed(junk, 0, junk.length, k % 2 === 0, 6, 1000, 2000)).toBe(true)
    expect(c.feed(junk, 0, junk.length, true, 6, 1000, 2000)).toBe(false)
    expect(c.feed(bytes('{"method":"x"}'), 0, 14, true, 6, 1000, 2000)).toBe(false)
    expect(c.result()).toEqual({ appProto: null, tlsSni: null, tlsJa3: null, tlsJa4: null, httpHost: null, dnsQname: null, jsonrpcMethods: [] })
  })

  it("DNS is tried only on ports 53/5353; no port makes an app_proto by itself", () => {
    const q = dnsQuery(labels("pool", "example"))
    const off = new HintCollector()
    off.feed(q, 0, q.length, true, 17, 40000, 5300)
    expect(off.result().dnsQname).toBeNull()
    const on = new HintCollector()
    expect(on.feed(q, 0, q.length, true, 17, 5353, 5353)).toBe(false)
    expect(on.result()).toMatchObject({ appProto: "dns", dnsQname: "pool.example" })
    const silent = new HintCollector()
    silent.feed(bytes("\x16\x16\x16"), 0, 3, true, 6, 40000, 443)
    expect(silent.result().appProto).toBeNull()
  })

  it("a GET ends the collection; mining methods make it stratum, others jsonrpc", () => {
    const get = bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    const c = new HintCollector()
    expect(c.feed(get, 0, get.length, true, 6, 40000, 80)).toBe(false)
    expect(c.result()).toMatchObject({ appProto: "http", httpHost: "x" })
    const rpc = new HintCollector()
    const login = bytes('{"id":1,"jsonrpc":"2.0","method":"login","params":{}}\n')
    expect(rpc.feed(login, 0, login.length, true, 6, 40000, 3333)).toBe(true)
    expect(rpc.result()).toMatchObject({ appProto: "jsonrpc", jsonrpcMethods: ["login"] })
    const notify = bytes('{"id":null,"method":"mining.notify","params":[]}\n')
    expect(rpc.feed(notify, 0, notify.length, false, 6, 3333, 40000)).toBe(true)
    expect(rpc.result()).toMatchObject({ appProto: "stratum", jsonrpcMethods: ["login", "mining.notify"] })
  })
})
