import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  coreImportViolations,
  folders,
  layoutViolations,
  packageImportViolations,
  pluginImportViolations
} from "../workspace/rules.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

describe("workspace rules hold in this checkout", () => {
  it("every plugin folder has README.md (with its sections), example.yaml, package.json, src/index.ts and a test", () => {
    expect(layoutViolations(root).join("\n")).toBe("")
  })

  it("no plugin imports another plugin (by name or by a path into plugins/), nor a package beyond core/flowmeter/ml/testkit", () => {
    expect(pluginImportViolations(root).join("\n")).toBe("")
  })

  it("no package but packages/cli imports a plugin", () => {
    expect(packageImportViolations(root).join("\n")).toBe("")
  })

  it("packages/core imports only effect, apache-arrow and its own files (no node: built-ins)", () => {
    expect(coreImportViolations(root).join("\n")).toBe("")
  })

  it("finds the packages it checks", () => {
    expect(folders(join(root, "packages"))).toEqual(expect.arrayContaining(["cli", "core", "testkit"]))
  })
})

/** A throwaway workspace with one broken thing per rule. */
const brokenWorkspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "hh-workspace-"))
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  const readme = "# x\n## Configuration\n## Output\n## Errors\n## Example\n"
  write("plugins/qc-good/README.md", readme)
  write("plugins/qc-good/example.yaml", "type: qc.good\n")
  write("plugins/qc-good/package.json", JSON.stringify({ name: "@hashhound/plugin-qc-good" }))
  write("plugins/qc-good/src/index.ts", 'import { Effect } from "effect"\nimport { makeRng } from "@hashhound/ml"\nimport { x } from "./x.js"\nexport const a = 1\n')
  write("plugins/qc-good/test/good.test.ts", 'import { qcContract } from "@hashhound/testkit"\n')
  write("plugins/source-thin/README.md", "# thin\n## Configuration\n## Output\n")
  write("plugins/source-thin/package.json", JSON.stringify({ name: "thin" }))
  write("plugins/source-thin/src/index.ts", 'import { a } from "@hashhound/plugin-qc-good"\nimport { b } from "../../qc-good/src/index.js"\nimport { c } from "@hashhound/pipeline"\nimport { d } from "@hashhound/testkit"\n')
  write("packages/cli/src/main.ts", 'import { a } from "@hashhound/plugin-qc-good"\n')
  write("packages/pipeline/src/run.ts", 'export { a } from "@hashhound/plugin-qc-good"\nconst m = await import("../../../plugins/qc-good/src/index.js")\n')
  write("packages/core/src/index.ts", 'import { readFile } from "node:fs"\nimport path from "path"\nimport { Schema } from "effect"\nimport { Table } from "apache-arrow"\nimport { x } from "./x.js"\nimport { y } from "../../flowmeter/src/y.js"\nimport { parse } from "yaml"\n')
  return dir
}

describe("workspace rules catch violations", () => {
  const dir = brokenWorkspace()

  it("reports missing files and sections, a bad example type and package name", () => {
    expect(layoutViolations(dir)).toEqual([
      'source-thin: README.md has no "Output columns" section',
      'source-thin: README.md has no "Errors" section',
      'source-thin: README.md has no "Example" section',
      "source-thin: no example.yaml",
      'source-thin: package.json name is "thin", expected "@hashhound/plugin-source-thin"',
      "source-thin: no test/**/*.test.ts"
    ])
  })

  it("reports plugins importing plugins and packages they may not use", () => {
    expect(pluginImportViolations(dir)).toEqual([
      'plugins/source-thin/src/index.ts: imports another plugin, "@hashhound/plugin-qc-good"',
      'plugins/source-thin/src/index.ts: imports "../../qc-good/src/index.js", a path into another plugin',
      'plugins/source-thin/src/index.ts: imports "@hashhound/pipeline"; plugins may depend on core, flowmeter, ml only',
      'plugins/source-thin/src/index.ts: imports "@hashhound/testkit"; plugins may depend on core, flowmeter, ml only'
    ])
  })

  it("reports packages other than cli importing plugins", () => {
    expect(packageImportViolations(dir)).toEqual([
      'packages/pipeline/src/run.ts: imports plugin "@hashhound/plugin-qc-good"; only packages/cli may',
      'packages/pipeline/src/run.ts: imports plugin "../../../plugins/qc-good/src/index.js"; only packages/cli may'
    ])
  })

  it("reports core importing node built-ins, other packages and outside files", () => {
    expect(coreImportViolations(dir)).toEqual([
      'packages/core/src/index.ts: imports Node built-in "node:fs"; core has no I/O',
      'packages/core/src/index.ts: imports Node built-in "path"; core has no I/O',
      'packages/core/src/index.ts: imports "../../flowmeter/src/y.js" from outside core',
      'packages/core/src/index.ts: imports "yaml"; core depends on effect and apache-arrow only'
    ])
  })
})
