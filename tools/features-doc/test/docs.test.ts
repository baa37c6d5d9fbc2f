/**
 * docs/features.md and the READMEs' generated feature tables match the plugins' declarations
 * (regenerate with `npx tsx tools/features-doc/generate.ts`).
 */
import { it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { renderFeatureDocs, replaceTableBlock, TABLE_BEGIN, TABLE_END } from "../docs-render.js"
import { FEATURE_PLUGINS } from "../feature-plugins.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

describe("features docs", () => {
  it.effect("docs/features.md and every README table are up to date (run tools/features-doc/generate.ts)", () =>
    Effect.gen(function* () {
      const files = yield* renderFeatureDocs(root)
      expect(files.map((file) => file.path)).toEqual(["docs/features.md", ...FEATURE_PLUGINS.map((entry) => entry.readme)])
      for (const file of files) expect(readFileSync(join(root, file.path), "utf8"), `${file.path} is stale`).toBe(file.content)
    }))

  it.effect("the catalogue names every feature of every group once, optional ones included", () =>
    Effect.gen(function* () {
      const docs = (yield* renderFeatureDocs(root))[0]!.content
      const names = [...docs.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((match) => match[1])
      expect(new Set(names).size).toBe(names.length)
      expect(names).toContain("known_mining_port")
      expect(names).toContain("pair_prev_gap_s")
      expect(docs).toContain("**only with `mining_port_prior: true`.**")
      expect(docs).toContain("`src_ip` (guarded)")
    }))

  it("replaceTableBlock keeps the text around the markers and refuses a README without them", () => {
    const text = `# x\n\n## Output\n\n${TABLE_BEGIN}\nold\n${TABLE_END}\n\nafter\n`
    expect(replaceTableBlock(text, "| new |")).toBe(`# x\n\n## Output\n\n${TABLE_BEGIN}\n\n| new |\n\n${TABLE_END}\n\nafter\n`)
    expect(replaceTableBlock("# no markers", "| new |")).toBeUndefined()
  })
})
