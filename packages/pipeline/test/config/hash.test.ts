import { describe, expect, it } from "vitest"
import { configHash, stableJson } from "../../src/config/index.js"

describe("configHash", () => {
  it("ignores key order at every depth and keeps array order", () => {
    const a = { type: "model.gbdt", raw: { trees: 300, nested: { b: 1, a: [1, 2] } } }
    const b = { raw: { nested: { a: [1, 2], b: 1 }, trees: 300 }, type: "model.gbdt" }
    expect(stableJson(a)).toBe('{"raw":{"nested":{"a":[1,2],"b":1},"trees":300},"type":"model.gbdt"}')
    expect(configHash(a)).toBe(configHash(b))
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(configHash({ x: [1, 2] })).not.toBe(configHash({ x: [2, 1] }))
  })

  it("is the sha256 of the stable JSON text", () => {
    // sha256('{"a":1}')
    expect(configHash({ a: 1 })).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
  })

  it("treats undefined like JSON does and keeps non-JSON numbers apart from null", () => {
    expect(stableJson({ a: undefined, b: 1 })).toBe('{"b":1}')
    expect(stableJson([undefined, 1])).toBe("[null,1]")
    expect(configHash({ a: Number.NaN })).not.toBe(configHash({ a: null }))
    expect(configHash({ a: Number.POSITIVE_INFINITY })).not.toBe(configHash({ a: Number.NEGATIVE_INFINITY }))
    expect(stableJson({ n: 10n, bytes: new Uint8Array([1, 255]) })).toBe('{"bytes":"__bytes:01ff","n":"__bigint:10"}')
    expect(configHash(1)).not.toBe(configHash("1"))
  })
})
