/** readme-columns: the names a README's Output columns section gives, and the header columns it misses. */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { csvHeaderNames, readmeOutputNames, unnamedColumns } from "../src/readme-columns.js"

const dir = mkdtempSync(join(tmpdir(), "hh-readme-columns-"))
const write = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe("readme-columns", () => {
  const readme = write(
    "README.md",
    ["# x", "## Configuration", "`paths`", "## Output columns", "| source | canonical |", "|---|---|", "| `SrcAddr` | `src_ip` |", "| `Dir` | dropped: `src_ip` order says it |", "## Errors", "`Proto`", ""].join("\n")
  )

  it("reads the backticked names of the Output columns section only", () => {
    expect([...readmeOutputNames(readme)].sort()).toEqual(["Dir", "SrcAddr", "src_ip"])
    expect(readmeOutputNames(write("empty.md", "# nothing\n")).size).toBe(0)
  })

  it("lists header columns the README does not name, once each, in header order", () => {
    const csv = write("a.csv", " StartTime, SrcAddr ,Dir,Proto,StartTime\n1,2,3,4,5\n")
    expect(csvHeaderNames(csv)).toEqual(["StartTime", "SrcAddr", "Dir", "Proto", "StartTime"])
    expect(unnamedColumns(readme, csvHeaderNames(csv))).toEqual(["StartTime", "Proto"])
    expect(csvHeaderNames(write("t.tsv", "a\tb\n"), "\t")).toEqual(["a", "b"])
  })
})
