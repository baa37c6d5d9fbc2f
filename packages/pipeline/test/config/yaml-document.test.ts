import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { closest } from "../../src/config/closest.js"
import { readYaml } from "../../src/config/index.js"

const source = (text: string) => {
  const parsed = readYaml(text)
  if (Either.isLeft(parsed)) throw new Error(parsed.left.map((issue) => issue.render()).join("; "))
  return parsed.right
}

describe("readYaml / locate", () => {
  const text = [
    "name: x", //                                   1
    "datasets:", //                                 2
    "  lab:", //                                    3
    "    source: &src { type: s, paths: [a, b] }", // 4
    "    labels:", //                               5
    "      - type: l", //                           6
    '        map: { "BENIGN.v2": benign }', //      7
    "  copy:", //                                   8
    "    source: *src", //                          9
    ""
  ].join("\n")

  it("maps YAML paths to the key's line and column", () => {
    const { locate, value } = source(text)
    expect(locate("name")).toEqual({ line: 1, column: 1 })
    expect(locate("datasets.lab.source.paths")).toEqual({ line: 4, column: 29 })
    expect(locate("datasets.lab.source.paths.1")).toEqual({ line: 4, column: 40 })
    expect(locate("datasets.lab.labels.0")).toEqual({ line: 6, column: 9 })
    // keys that contain dots
    expect(locate("datasets.lab.labels.0.map.BENIGN.v2")).toEqual({ line: 7, column: 16 })
    // through an alias to its anchor
    expect(locate("datasets.copy.source.type")).toEqual({ line: 4, column: 20 })
    expect(value).toMatchObject({ datasets: { copy: { source: { type: "s", paths: ["a", "b"] } } } })
  })

  it("places a path that does not exist at the deepest part that does", () => {
    const { locate } = source(text)
    expect(locate("datasets.lab.source.idle_timeout_s")).toEqual({ line: 4, column: 5 })
    expect(locate("datasets.lab.labels.3.x")).toEqual({ line: 5, column: 5 })
    expect(locate("output")).toEqual({ line: 1, column: 1 })
  })

  it("turns syntax errors into issues with positions", () => {
    const parsed = readYaml("a: 1\nb: [1, 2\nc: 3\n")
    expect(Either.isLeft(parsed)).toBe(true)
    if (Either.isLeft(parsed)) {
      expect(parsed.left[0]?.message).toMatch(/^YAML syntax: Flow sequence in block collection must be sufficiently indented/)
      expect(parsed.left[0]?.line).toBe(3)
    }
  })
})

describe("readYaml refuses what it cannot read safely", () => {
  it("an alias bomb and a second document are issues, not crashes", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]"
    ].join("\n")
    const exploded = readYaml(bomb)
    expect(Either.isLeft(exploded) && exploded.left[0]?.message).toMatch(/^YAML: Excessive alias count/)
    const two = readYaml("a: 1\n---\nb: 2\n")
    expect(Either.isLeft(two) && [two.left[0]?.line, two.left[0]?.message.startsWith("YAML syntax: Source contains multiple documents")]).toEqual([2, true])
  })
})

describe("closest", () => {
  it("suggests near misses only", () => {
    expect(closest("idle_timeout", ["paths", "idle_timeout_s"])).toBe("idle_timeout_s")
    expect(closest("model", ["name", "models", "output"])).toBe("models")
    expect(closest("colour", ["name", "models", "output"])).toBeUndefined()
    expect(closest("Models", ["models"])).toBe("models")
  })
})
