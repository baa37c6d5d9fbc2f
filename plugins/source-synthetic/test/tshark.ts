/**
 * tshark for the tests: whether it is installed, and running it on a capture with its
 * stderr kept (so "appears to be damaged or corrupt" and similar warnings can be asserted on).
 * Tests that need it skip with a clear message when it is absent.
 */
import { hasCommand } from "@hashhound/testkit"
import { spawnSync } from "node:child_process"

export const hasTshark = (): boolean => hasCommand("tshark")

export const TSHARK_SKIP = "tshark is not installed (apt-get install -y tshark); skipping the Wireshark cross-checks"

export interface TsharkOutput {
  readonly stdout: string
  /** stderr without tshark's "Running as user root" notice */
  readonly warnings: ReadonlyArray<string>
}

export const tshark = (args: ReadonlyArray<string>): TsharkOutput => {
  const result = spawnSync("tshark", [...args], { encoding: "utf8", maxBuffer: 1 << 28 })
  const warnings = (result.stderr ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("Running as user"))
  return { stdout: result.stdout ?? "", warnings }
}

/** Counts of each expert-info message at warning level or above (`-z expert` is not used: it folds). */
export const expertProblems = (pcap: string, extra: ReadonlyArray<string> = []): Map<string, number> => {
  const { stdout } = tshark(["-r", pcap, ...extra, "-Y", "_ws.expert.severity >= 6291456 || _ws.malformed", "-T", "fields", "-E", "aggregator=|", "-e", "_ws.expert.message"])
  const counts = new Map<string, number>()
  for (const line of stdout.split("\n")) {
    if (line === "") continue
    for (const message of line.split("|")) counts.set(message, (counts.get(message) ?? 0) + 1)
  }
  return counts
}
