/**
 * Throwaway plugin folders for testkit's own tests: example.yaml and README.md written to a
 * temp folder, so each broken variant can have its own.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const FULL_README = (keys: ReadonlyArray<string>, output = "Output columns"): string =>
  [
    "# test plugin",
    "## Configuration",
    "| key | type | default |",
    "|---|---|---|",
    ...keys.map((key) => `| ${key} | number | 1 |`),
    `## ${output}`,
    "whatever it writes",
    "## Errors",
    "InputError when a file is missing.",
    "## Example",
    "```yaml\ntype: x\n```",
    ""
  ].join("\n")

/** A folder with example.yaml (and README.md, when given); returns the example.yaml path. */
export const pluginFolder = (exampleYaml: string, readme?: string, files: Readonly<Record<string, string>> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "hh-testkit-plugin-"))
  writeFileSync(join(dir, "example.yaml"), exampleYaml)
  if (readme !== undefined) writeFileSync(join(dir, "README.md"), readme)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return join(dir, "example.yaml")
}
