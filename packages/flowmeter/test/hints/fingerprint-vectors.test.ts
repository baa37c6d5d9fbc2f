/**
 * JA3 and JA4 against the published reference vectors (the JA3 README example; the worked
 * example, ALPN and empty-list rules of FoxIO's technical_details/JA4.md). Needs no fixtures.
 */
import { it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { describe, expect } from "vitest"
import { type ClientHello, isGrease, ja3, ja3String, ja4, ja4Alpn, ja4Version, sha256Prefix12 } from "../../src/hints/index.js"

const hello = (over: Partial<ClientHello>): ClientHello => ({
  dtls: false,
  version: 0x0303,
  ciphers: [],
  extensions: [],
  sni: null,
  groups: [],
  pointFormats: [],
  signatureAlgorithms: [],
  alpn: [],
  supportedVersions: [],
  ...over
})

/** JA4.md's worked example (a Chrome hello, GREASE already removed). */
const chrome = hello({
  ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensions: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
  sni: "example.com",
  signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  alpn: ["h2", "http/1.1"],
  supportedVersions: [0x0304, 0x0303]
})

describe("fingerprint reference vectors", () => {
  it("JA3: the README example string hashes to ada70206e40642a3e4461f35503241d5", () => {
    const h = hello({
      version: 769,
      ciphers: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [0, 10, 11],
      groups: [23, 24, 25],
      pointFormats: [0]
    })
    expect(ja3String(h)).toBe("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0")
    expect(ja3(h)).toBe("ada70206e40642a3e4461f35503241d5")
    expect(ja3(h)).toBe(createHash("md5").update(ja3String(h)).digest("hex"))
  })

  it("JA4: the worked example is t13d1516h2_8daaf6152771_e5627efa2ab1", () => {
    expect(ja4(chrome, "t")).toBe("t13d1516h2_8daaf6152771_e5627efa2ab1")
    expect(ja4(chrome, "q").startsWith("q13d1516h2_")).toBe(true)
  })

  it("JA4: no signature algorithms → no trailing underscore (6d807ffa2a79); no ciphers/extensions → zeros", () => {
    expect(ja4(hello({ ...chrome, signatureAlgorithms: [] }), "t")).toBe("t13d1516h2_8daaf6152771_6d807ffa2a79")
    expect(sha256Prefix12("")).toBe("000000000000")
    expect(ja4(hello({}), "t")).toBe("t12i000000_000000000000_000000000000")
  })

  it("JA4 ALPN: first/last character, hex digits for non-alphanumeric bytes, 00 when absent", () => {
    const alpn = (...values: Array<string>): string => ja4Alpn(hello({ alpn: values }))
    expect(alpn("h2")).toBe("h2")
    expect(alpn("http/1.1")).toBe("h1")
    expect(alpn("x")).toBe("xx")
    expect(alpn()).toBe("00")
    expect(alpn("")).toBe("00")
    expect(alpn("\xab")).toBe("ab")
    expect(alpn("\xab\xcd")).toBe("ad")
    expect(alpn("0\xab")).toBe("3b")
    expect(alpn("01\xab\xcd")).toBe("3d")
    expect(alpn("0\xab\xcd1")).toBe("01")
  })

  it("JA4 version: highest supported_versions entry, else the hello version; unknown is 00", () => {
    expect(ja4Version(hello({ version: 0x0301 }))).toBe("10")
    expect(ja4Version(hello({ version: 0x0303, supportedVersions: [0x0303, 0x0304] }))).toBe("13")
    expect(ja4Version(hello({ version: 0xfefd, supportedVersions: [0xfefc] }))).toBe("d3")
    expect(ja4Version(hello({ version: 0x7f1c }))).toBe("00")
  })

  it("GREASE: exactly the 16 RFC 8701 values", () => {
    const grease: Array<number> = []
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) grease.push(v)
    expect(grease).toEqual(Array.from({ length: 16 }, (_, k) => 0x0a0a + k * 0x1010))
  })
})
