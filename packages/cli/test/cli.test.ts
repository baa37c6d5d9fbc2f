import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { hashhound } from "./cli-support.js"

const work = mkdtempSync(join(tmpdir(), "hh-cli-"))

describe("hashhound CLI", () => {
  it("lists every built-in plugin with kind, version and summary", () => {
    const { code, stdout } = hashhound(["plugins"], work)
    expect(code).toBe(0)
    const lines = stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^id\s+kind\s+version\s+summary$/)
    for (const id of ["source.pcap", "source.zeek-conn", "source.argus", "source.nfdump-csv", "source.cicflowmeter-csv", "labeler.stratum"]) {
      expect(lines.some((line) => line.startsWith(`${id} `))).toBe(true)
    }
    for (const line of lines.slice(1)) expect(line).toMatch(/^[a-z]+\.[a-z0-9-]+\s+(source|qc|labeler|features|model|report)\s+\d+\.\d+\.\d+\s+\S/)
  })

  it("prints a JSON Schema of pipeline files", () => {
    const { code, stdout } = hashhound(["schema"], work)
    expect(code).toBe(0)
    const schema = JSON.parse(stdout) as { $schema?: string; properties?: Record<string, unknown> }
    expect(schema.$schema).toContain("json-schema.org")
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(["name", "output", "datasets", "features", "models"]))
    expect(stdout).toContain('"source.pcap"')
  })

  it("refuses a bad pipeline with exit 2, naming every YAML path and line, and writes nothing", () => {
    const dir = mkdtempSync(join(work, "bad-"))
    const file = join(dir, "bad.yaml")
    writeFileSync(
      file,
      [
        "name: bad",
        "output: out",
        "datasets:",
        "  campus:",
        "    source:",
        "      type: source.pcap",
        "      paths: [\"*.pcap\"]",
        "      idle_timeout: 30",
        "    labels:",
        "      - type: labeler.stratum",
        "        min_methods: many",
        ""
      ].join("\n")
    )
    const { code, stderr } = hashhound(["validate", file], dir)
    expect(code).toBe(2)
    expect(stderr).toContain("datasets.campus.source.idle_timeout (line 8")
    expect(stderr).toContain("datasets.campus.labels.0.min_methods (line 11")
    expect(stderr).not.toMatch(/\n\s+at /) // one paragraph, no stack
    expect(existsSync(join(dir, "out"))).toBe(false)
    const run = hashhound(["run", file], dir)
    expect(run.code).toBe(2)
    expect(existsSync(join(dir, "out"))).toBe(false)
  })

  it("accepts the README's pipeline tour (its third-party plugin line aside), and its idle_timeout_s example error is real", () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "README.md"), "utf8")
    const tour = /```yaml\n(name: [\s\S]*?)```/.exec(readme)?.[1]
    expect(tour).toBeDefined()
    const dir = mkdtempSync(join(work, "tour-"))
    // the @acme package is an example name: without it, every entry must decode against the built-ins
    const text = tour!.replace(/^plugins: .*\n/m, "plugins: []\n")
    writeFileSync(join(dir, "tour.yaml"), text)
    const ok = hashhound(["validate", "tour.yaml"], dir)
    expect(ok.code, ok.stderr).toBe(0)
    // the error line the README quotes after the tour, with the line it names
    writeFileSync(join(dir, "broken.yaml"), text.replace("idle_timeout_s: 120", 'idle_timeout_s: "x"'))
    const broken = hashhound(["validate", "broken.yaml"], dir)
    expect(broken.code).toBe(2)
    const quoted = /\(`(datasets\.campus\.source\.idle_timeout_s \(line \d+, column \d+\): Expected number, actual "x")`\)/.exec(readme)?.[1]
    expect(quoted).toBeDefined()
    expect(broken.stderr).toContain(quoted)
  })

  it("answers bad usage with exit 2", () => {
    expect(hashhound(["flows"], work).code).toBe(2)
    expect(hashhound(["no-such-command"], work).code).toBe(2)
  })

  it("has --help for every command; the root help lists every command though a named one loads alone", () => {
    const commands = ["run", "validate", "plugins", "schema", "flows", "features", "generate", "score", "demo"]
    for (const command of commands) {
      const { code, stdout } = hashhound([command, "--help"], work)
      expect(code, command).toBe(0)
      expect(stdout).toContain("USAGE")
      expect(stdout).toContain(`$ ${command}`)
    }
    const root = hashhound(["--help"], work)
    expect(root.code).toBe(0)
    for (const command of commands) expect(root.stdout, command).toMatch(new RegExp(`^\\s*- ${command}\\b`, "m"))
  })
})
