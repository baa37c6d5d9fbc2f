/**
 * Debian tools the tests use (tshark, editcap, …): whether one is on PATH.
 *
 * Holds: `hasCommand`, which runs `<name> --version` once per name and remembers the answer.
 * Does not hold: running the tools (each test does that its own way) or installing them (.ci/run).
 */
import { execFileSync } from "node:child_process"

const known = new Map<string, boolean>()

/** True when `name --version` runs and exits 0. */
export const hasCommand = (name: string): boolean => {
  const seen = known.get(name)
  if (seen !== undefined) return seen
  let found: boolean
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" })
    found = true
  } catch {
    found = false
  }
  known.set(name, found)
  return found
}
