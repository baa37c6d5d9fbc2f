/**
 * The model-file envelope: each refusal names its reason and the plugin; a good file decodes
 * through the plugin's Schema. Also `resolvable` for optional packages.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { decodeModelFile } from "../src/model-file.js"
import { resolvable } from "../src/optional-package.js"

const Body = Schema.Struct({ format: Schema.Literal("hashhound.model.test"), version: Schema.Literal(2), weights: Schema.Array(Schema.Number) })
const decode = (text: string | Uint8Array) =>
  decodeModelFile("model.test", typeof text === "string" ? new TextEncoder().encode(text) : text, "hashhound.model.test", 2, Body)

const refusal = (result: ReturnType<typeof decode>): string => {
  if (Either.isRight(result)) throw new Error("expected a refusal")
  expect(result.left.pluginId).toBe("model.test")
  expect(result.left.stage).toBe("reading")
  return result.left.reason
}

describe("decodeModelFile", () => {
  it("decodes a file of the right format and version with the plugin's Schema", () => {
    expect(Either.getOrThrow(decode('{"format":"hashhound.model.test","version":2,"weights":[1,2.5]}')).weights).toEqual([1, 2.5])
  })

  it("refuses bytes that are not UTF-8 JSON, or not an object", () => {
    expect(refusal(decode("not a model file"))).toMatch(/^model file is not UTF-8 JSON: /)
    expect(refusal(decode(Uint8Array.from([0x7b, 0xff, 0x7d])))).toMatch(/^model file is not UTF-8 JSON: /)
    expect(refusal(decode("[1, 2]"))).toBe("model file is not a JSON object")
    expect(refusal(decode("null"))).toBe("model file is not a JSON object")
  })

  it("checks format before version, and version before the body", () => {
    expect(refusal(decode('{"format":"hashhound.model.other","version":9}'))).toBe('not a hashhound.model.test file (format "hashhound.model.other")')
    expect(refusal(decode("{}"))).toBe("not a hashhound.model.test file (format null)")
    expect(refusal(decode('{"format":"hashhound.model.test","version":3,"weights":"x"}'))).toBe(
      "hashhound.model.test file version 3 is not supported (this build reads version 2)"
    )
    expect(refusal(decode('{"format":"hashhound.model.test","version":2,"weights":"x"}'))).toMatch(
      /^model file does not match hashhound\.model\.test v2: .*weights/s
    )
  })
})

describe("resolvable", () => {
  it("says whether a package resolves from a module's location", () => {
    expect(resolvable("effect", import.meta.url)).toBe(true)
    expect(resolvable("no-such-package-hashhound-test", import.meta.url)).toBe(false)
  })
})
