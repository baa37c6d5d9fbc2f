/**
 * The flow tools the benchmark times on the same capture: hashhound itself and the reference
 * tools (nDPI's ndpiReader, tshark's conversation tables, argus, nfdump's nfpcapd).
 *
 * Holds: each tool's command line for one capture, how to find its binary and read its
 * version, and `locate` (a found contender, or the reason it is missing: "not installed").
 * Does not hold: running or measuring (`measure.ts`).
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { findExecutable } from "./measure.js"

export interface Contender {
  readonly id: string
  /** how the command line reads in the report, with CAP and OUT placeholders */
  readonly shown: string
  readonly binary: string
  readonly args: (capture: string, outDir: string) => ReadonlyArray<string>
  readonly versionArgs: ReadonlyArray<string>
  readonly versionPattern: RegExp
  /** the version, when it is known without asking the binary */
  readonly fixedVersion?: string
  /** the number of flows the tool reports, read from its output, when it reports one */
  readonly flowsFrom?: (stdout: string, stderr: string) => number | undefined
}

const count = (pattern: RegExp, text: string): number | undefined => {
  const match = pattern.exec(text)
  return match?.[1] === undefined ? undefined : Number(match[1].replace(/,/g, ""))
}

export const HASHHOUND = "hashhound"

/** The reference tools. hashhound's entry is made by `hashhoundContender` (it needs paths). */
export const REFERENCE_TOOLS: ReadonlyArray<Contender> = [
  {
    id: "ndpiReader",
    shown: "ndpiReader -i CAP -v 0 > stats.txt",
    binary: "ndpiReader",
    args: (capture) => ["-i", capture, "-v", "0"],
    versionArgs: ["-h"],
    versionPattern: /nDPI \(?([0-9][0-9.]*)/,
    flowsFrom: (stdout) => count(/Unique flows:\s*([0-9]+)/, stdout)
  },
  {
    id: "tshark",
    shown: "tshark -r CAP -q -z conv,tcp -z conv,udp",
    binary: "tshark",
    args: (capture) => ["-r", capture, "-q", "-z", "conv,tcp", "-z", "conv,udp"],
    versionArgs: ["--version"],
    versionPattern: /TShark \(Wireshark\) ([0-9][0-9.]*)/,
    flowsFrom: (stdout) => stdout.split("\n").filter((line) => line.includes("<->")).length
  },
  {
    id: "argus",
    shown: "argus -r CAP -w OUT/out.argus",
    binary: "argus",
    args: (capture, outDir) => ["-r", capture, "-w", join(outDir, "out.argus")],
    versionArgs: ["-h"],
    versionPattern: /Argus Version ([0-9][0-9.]*)/
  },
  {
    id: "nfpcapd",
    shown: "nfpcapd -r CAP -w OUT/",
    binary: "nfpcapd",
    args: (capture, outDir) => {
      mkdirSync(outDir, { recursive: true })
      return ["-r", capture, "-w", outDir]
    },
    versionArgs: ["-V"],
    // no flow count: nfpcapd logs one per 5-minute output file, and its flows are one-way
    versionPattern: /Version: ([0-9][0-9.]*)/
  }
]

/**
 * hashhound's `flows` command as npm installs it: `launcher` is packages/cli/bin/hashhound, the
 * shell script that sets glibc's arena limit and execs the `node` on PATH (the bench puts this
 * Node first there), so the timed process is the one `npx hashhound` runs.
 */
export const hashhoundContender = (launcher: string): Contender => ({
  id: HASHHOUND,
  fixedVersion: `${cliVersion(launcher)} on node ${process.version}`,
  shown: "hashhound flows CAP --out OUT/flows.parquet --quiet",
  binary: launcher,
  args: (capture, outDir) => ["flows", capture, "--out", join(outDir, "flows.parquet"), "--quiet"],
  versionArgs: ["--version"],
  versionPattern: /v([0-9][0-9.]*)/,
  flowsFrom: (_stdout, stderr) => count(/([0-9][0-9,]*) flows from/, stderr)
})

const cliVersion = (launcher: string): string => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dirname(launcher), "..", "package.json"), "utf8"))
    const version = typeof pkg === "object" && pkg !== null && "version" in pkg ? pkg.version : undefined
    return typeof version === "string" ? version : "unknown version"
  } catch {
    return "unknown version"
  }
}

export type Located =
  | { readonly _tag: "Found"; readonly contender: Contender; readonly path: string; readonly version: string }
  | { readonly _tag: "Missing"; readonly contender: Contender; readonly reason: string }

/** Find a contender's binary and its version, or say it is not installed. */
export const locate = (contender: Contender): Located => {
  const path = contender.binary.startsWith("/") ? contender.binary : findExecutable(contender.binary)
  if (path === undefined) return { _tag: "Missing", contender, reason: "not installed" }
  if (contender.fixedVersion !== undefined) return { _tag: "Found", contender, path, version: contender.fixedVersion }
  const run = spawnSync(path, [...contender.versionArgs], { encoding: "utf8", timeout: 10_000 })
  const text = `${run.stdout ?? ""}\n${run.stderr ?? ""}`
  const version = contender.versionPattern.exec(text)?.[1] ?? "unknown version"
  return { _tag: "Found", contender, path, version }
}
