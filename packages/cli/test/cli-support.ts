/** Running the real `hashhound` binary in a child process, for CLI tests. */
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "hashhound.mjs")

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const hashhound = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}): CliResult => {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 120_000
  })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}
