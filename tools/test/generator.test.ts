import { it } from "@effect/vitest"
import {
  featuresContractViolations,
  labelerContractViolations,
  modelContractViolations,
  qcContractViolations,
  readSource,
  reportContractViolations,
  sourceContractViolations,
  summarizeSource,
  goldenDiff
} from "@hashhound/testkit"
import type { AnyPlugin } from "@hashhound/core"
import type { Tree } from "@nx/devkit"
import { Chunk, Effect, Stream } from "effect"
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { createTreeWithEmptyWorkspace } from "nx/src/devkit-testing-exports"
import { describe, expect } from "vitest"
import { parse } from "yaml"

interface Generator {
  (tree: Tree, options: Readonly<Record<string, unknown>>): Promise<() => void>
  readonly normalizeOptions: (options: Readonly<Record<string, unknown>>) => { readonly id: string; readonly directory: string; readonly ident: string }
  readonly insertBuiltin: (text: string, packageName: string, ident: string, kind: string) => string | undefined
  readonly KINDS: ReadonlyArray<string>
}

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const generator = createRequire(import.meta.url)("../generators/plugin/index.cjs") as Generator

/** The CLI's list: a loader per package (see packages/cli/src/builtin-plugins.ts). */
const BUILTIN = [
  'import { registryLayer, type AnyPlugin } from "@hashhound/core"',
  "",
  "export const builtinPackages: ReadonlyArray<BuiltinPackage> = [",
  '  { source: "@hashhound/plugin-source-pcap", kind: "source", load: () => import("@hashhound/plugin-source-pcap") },',
  "  // generator: plugin list above",
  "]",
  ""
].join("\n")

/** A list of static imports with grouped entries, the form third-party CLIs built on the registry use. */
const GROUPED = [
  'import { plugins as sourcePcap } from "@hashhound/plugin-source-pcap"',
  "// generator: plugin imports above",
  "",
  "export const builtinPlugins: ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }> = [",
  '  { source: "@hashhound/plugin-source-pcap", plugins: sourcePcap },',
  "  // generator: plugin list above",
  "]",
  ""
].join("\n")

/** Header lines of the built-in flow exports, none of which the generated source may claim. */
const OTHER_EXPORT_HEADS = [
  "#separator \\x09\n#set_separator\t,\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\n", // Zeek conn.log
  '{"ts":22.335172,"uid":"C6ce9q3xECAsonga21","id.orig_h":"fe80::1","id.orig_p":61099,"id.resp_h":"ff02::1:3","id.resp_p":5355,"proto":"udp"}\n', // Zeek JSON
  "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,Label\n", // argus binetflow
  "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out\n", // nfdump 1.7 CSV
  "Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration\n", // CIC-IDS2017
  "src_ip,dst_ip,src_port,dst_port,protocol,timestamp,flow_duration,flow_byts_s,flow_pkts_s\n" // Python cicflowmeter
]

const FILES = ["README.md", "example.yaml", "package.json", "src/index.ts", "test/demo-thing.test.ts", "testcases/basic/config.yaml", "testcases/basic/expected.json"]

const generate = async (kind: string, withBuiltin = true): Promise<Tree> => {
  const tree = createTreeWithEmptyWorkspace()
  if (withBuiltin) tree.write("packages/cli/src/builtin-plugins.ts", BUILTIN)
  const done = await generator(tree, { kind, name: "demo-thing" })
  expect(done).toBeTypeOf("function")
  return tree
}

/** Write the generated plugin to a temp folder that resolves workspace packages like the repo does. */
const materialize = (tree: Tree, kind: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "hh-generated-"))
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir")
  for (const change of tree.listChanges()) {
    if (!change.path.startsWith(`plugins/${kind}-demo-thing/`) || change.content === null) continue
    mkdirSync(dirname(join(dir, change.path)), { recursive: true })
    writeFileSync(join(dir, change.path), change.content)
  }
  return join(dir, "plugins", `${kind}-demo-thing`)
}

describe("generator options", () => {
  it("refuses unknown kinds and names that are not kebab-case", () => {
    expect(generator.KINDS).toEqual(["source", "qc", "labeler", "features", "model", "report"])
    expect(() => generator.normalizeOptions({ kind: "sink", name: "x" })).toThrow(/--kind must be one of/)
    expect(() => generator.normalizeOptions({ kind: "qc", name: "Bad_Name" })).toThrow(/kebab-case/)
    expect(generator.normalizeOptions({ kind: "qc", name: "demo-check" })).toMatchObject({ id: "qc.demo-check", directory: "plugins/qc-demo-check", ident: "qcDemoCheckPlugins" })
  })

  it("inserts into the built-in list above the markers, once, in the list's own form", () => {
    const lazy = generator.insertBuiltin(BUILTIN, "@hashhound/plugin-qc-x", "qcXPlugins", "qc")!
    expect(lazy).toContain('  { source: "@hashhound/plugin-qc-x", kind: "qc", load: () => import("@hashhound/plugin-qc-x") },\n  // generator: plugin list above')
    expect(lazy).not.toContain("import { plugins as")
    expect(generator.insertBuiltin(lazy, "@hashhound/plugin-qc-x", "qcXPlugins", "qc")).toBe(lazy)
    const once = generator.insertBuiltin(GROUPED, "@hashhound/plugin-qc-x", "qcXPlugins", "qc")!
    expect(once).toContain('import { plugins as qcXPlugins } from "@hashhound/plugin-qc-x"\n// generator: plugin imports above')
    expect(once).toContain('  { source: "@hashhound/plugin-qc-x", plugins: qcXPlugins },\n  // generator: plugin list above')
    expect(generator.insertBuiltin(once, "@hashhound/plugin-qc-x", "qcXPlugins", "qc")).toBe(once)
    const spread = "// generator: plugin imports above\nexport const all = [\n    // generator: plugin list above\n]\n"
    expect(generator.insertBuiltin(spread, "@hashhound/plugin-qc-x", "qcXPlugins", "qc")).toContain("    ...qcXPlugins,\n    // generator: plugin list above")
    expect(generator.insertBuiltin("export const all = []\n", "@hashhound/plugin-qc-x", "qcXPlugins", "qc")).toBeUndefined()
  })

  it("refuses a folder that already exists, and skips the built-in list when it is absent", async () => {
    const tree = await generate("qc", false)
    expect(tree.exists("packages/cli/src/builtin-plugins.ts")).toBe(false)
    await expect(generator(tree, { kind: "qc", name: "demo-thing" })).rejects.toThrow(/already exists/)
  })
})

describe.each(["source", "qc", "labeler", "features", "model", "report"])("generated %s plugin", (kind) => {
  it("has every file, names itself consistently and is added to the built-in list", async () => {
    const tree = await generate(kind)
    const base = `plugins/${kind}-demo-thing`
    for (const file of FILES) expect(tree.exists(`${base}/${file}`), file).toBe(true)
    const pkg = JSON.parse(tree.read(`${base}/package.json`, "utf-8")!) as { name: string; nx: { tags: Array<string> }; exports: Record<string, string> }
    expect(pkg.name).toBe(`@hashhound/plugin-${kind}-demo-thing`)
    expect(pkg.nx.tags).toEqual(["plugin", `kind:${kind}`])
    expect(pkg.exports["."]).toBe("./src/index.ts")
    expect((parse(tree.read(`${base}/example.yaml`, "utf-8")!) as { type: string }).type).toBe(`${kind}.demo-thing`)
    const readme = tree.read(`${base}/README.md`, "utf-8")!
    for (const section of ["## Configuration", kind === "source" ? "## Output columns" : "## Output", "## Errors", "## Example"]) expect(readme).toContain(section)
    expect(tree.read(`${base}/src/index.ts`, "utf-8")).not.toMatch(/<%|%>/)
    if (kind === "source") {
      // built like the flow-export adapters: a LineParser in a format file, read through FlowSink
      expect(tree.read(`${base}/src/demo-thing-format.ts`, "utf-8")).not.toMatch(/<%|%>/)
      const index = tree.read(`${base}/src/index.ts`, "utf-8")!
      for (const call of ["fingerprintFor(ctx)", "readExportUnit(unit, resume"]) expect(index).toContain(call)
    }
    const builtin = tree.read("packages/cli/src/builtin-plugins.ts", "utf-8")!
    const pkgName = `@hashhound/plugin-${kind}-demo-thing`
    expect(builtin).toContain(`{ source: "${pkgName}", kind: "${kind}", load: () => import("${pkgName}") },`)
  })

  it.live("passes its kind's contract with no edits", () =>
    Effect.gen(function* () {
      const dir = materialize(yield* Effect.promise(() => generate(kind)), kind)
      const module = (yield* Effect.promise(() => import(join(dir, "src", "index.ts")))) as { plugin: AnyPlugin; plugins: ReadonlyArray<AnyPlugin> }
      expect(module.plugins).toEqual([module.plugin])
      const exampleYaml = join(dir, "example.yaml")
      const violations =
        kind === "source"
          ? yield* sourceContractViolations(module.plugin, { exampleYaml, input: { config: { paths: ["testcases/basic/flows.csv"] }, baseDir: dir } })
          : kind === "qc"
            ? yield* qcContractViolations(module.plugin, { exampleYaml })
            : kind === "labeler"
              ? yield* labelerContractViolations(module.plugin, { exampleYaml })
              : kind === "features"
                ? yield* featuresContractViolations(module.plugin, { exampleYaml })
                : kind === "model"
                  ? yield* modelContractViolations(module.plugin, { exampleYaml })
                  : yield* reportContractViolations(module.plugin, { exampleYaml })
      expect(violations.join("\n")).toBe("")
      if (module.plugin.kind === "source") {
        const source = module.plugin
        const caseDir = join(dir, "testcases", "basic")
        const read = yield* readSource(source, parse(readFileSync(join(caseDir, "config.yaml"), "utf8")), caseDir)
        expect(goldenDiff(JSON.parse(JSON.stringify(summarizeSource(read))), JSON.parse(readFileSync(join(caseDir, "expected.json"), "utf8")))).toEqual([])
        // bad rows are FlowSink's malformed_row findings, as in the flow-export adapters
        const findings = read.events[0]!.events.flatMap((event) => (event._tag === "Finding" ? [event.finding.code] : []))
        expect(findings).toEqual(["unknown_column", "malformed_row", "malformed_row"])
        // `hashhound flows` can detect the sample without --source, and the other exports are not taken for it
        const sample = readFileSync(join(caseDir, "flows.csv"))
        expect(source.detect?.(sample, "flows.csv")).toBeGreaterThanOrEqual(0.9)
        for (const other of OTHER_EXPORT_HEADS) expect(source.detect?.(new TextEncoder().encode(other), "export"), other).toBe(0)
        // a resumed read (readExportUnit) starts at the batch it is told
        const stage = yield* source.make({ paths: ["flows.csv"], batch_flows: 1 })
        const ctx = { dataset: "resume", baseDir: caseDir, workDir: dir }
        const [unit] = yield* stage.plan(ctx)
        const resumed = yield* Stream.runCollect(stage.read(unit!, ctx, { nextBatch: 2 }))
        expect(Chunk.toArray(resumed).flatMap((event) => (event._tag === "Batch" ? [event.index] : []))).toEqual([2])
      }
    })
  )
})
