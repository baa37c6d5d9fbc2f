/**
 * The resumability promise, end to end through the real CLI: a pipeline over several real
 * captures (and a rotating capture's four pieces read as one, `sequence: true`) is SIGKILLed at ten
 * random moments and restarted each time; the final Parquet rows equal those of an uninterrupted
 * run, and batches finished before a kill are not redone.
 */
import { describeFixtures, evenCuts, fixture, packetCount, splitCapture } from "@hashhound/testkit"
import { DuckDBInstance } from "@duckdb/node-api"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { expect, it } from "vitest"
import { BIN, hashhound } from "./cli-support.js"

const pipeline = (output: string, pieces: string): string =>
  [
    "name: resume-check",
    `output: ${output}`,
    "datasets:",
    "  mining:",
    "    source:",
    "      type: source.pcap",
    `      paths: ["${fixture("mining")}/*.pcap", "${fixture("mining")}/*.pcapng", "${fixture("normal")}/*.pcap"]`,
    "      batch_flows: 50",
    "    labels:",
    "      - { type: labeler.stratum }",
    "  pieces:",
    "    source:",
    "      type: source.pcap",
    `      paths: ["${pieces}"]`,
    "      sequence: true",
    "      batch_flows: 50",
    ""
  ].join("\n")

/** A real capture cut into four pieces as a rotating capture writes them (two gzip'd), in a folder of their own. */
const writePieces = (work: string): string => {
  const dir = join(work, "ring")
  mkdirSync(dir)
  const bytes = readFileSync(fixture("mining/nesfit-cgminer.s1.pcapng"))
  splitCapture(bytes, evenCuts(packetCount(bytes), 3)).forEach((piece, i) => {
    const name = `ring.pcapng${i === 0 ? "" : i}`
    if (i < 2) writeFileSync(join(dir, `${name}.gz`), gzipSync(piece))
    else writeFileSync(join(dir, name), piece)
  })
  return dir
}

const parts = (dir: string): Map<string, string> => {
  const found = new Map<string, string>()
  const walk = (d: string): void => {
    if (!existsSync(d)) return
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".parquet")) {
        const stat = statSync(path)
        found.set(path, `${stat.ino}:${stat.mtimeMs}`)
      }
    }
  }
  walk(dir)
  return found
}

interface ManifestUnits {
  readonly datasets: Record<string, { units: Array<{ number: number; batches: Array<{ index: number }> }> }>
}

/**
 * Flows parts the manifest records as done. A part renamed into place but not yet recorded when
 * the kill came is not done, and a restart may rightly write it again.
 */
const doneParts = (output: string): ReadonlyArray<string> => {
  const file = join(output, "manifest.json")
  if (!existsSync(file)) return []
  const manifest = JSON.parse(readFileSync(file, "utf8")) as ManifestUnits
  const pad = (n: number) => String(n).padStart(5, "0")
  return Object.entries(manifest.datasets).flatMap(([dataset, record]) =>
    record.units.flatMap((unit) =>
      unit.batches.map((batch) => join(output, "datasets", dataset, "flows", `part-${pad(unit.number)}-${pad(batch.index)}.parquet`))
    )
  )
}

const rows = async (output: string, table: "flows" | "labels", dataset = "mining"): Promise<ReadonlyArray<string>> => {
  const db = await DuckDBInstance.create(":memory:")
  const connection = await db.connect()
  const reader = await connection.runAndReadAll(
    `SELECT * EXCLUDE (flow_id), flow_id FROM read_parquet('${output}/datasets/${dataset}/${table}/*.parquet') ORDER BY flow_id`
  )
  const out = reader.getRowsJson().map((row) => JSON.stringify(row))
  connection.closeSync()
  return out
}

/** Seeded moments so a failure can be replayed. */
const moments = (count: number, seed: number, fromMs: number, toMs: number): ReadonlyArray<number> => {
  let state = seed >>> 0
  const next = (): number => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    return state / 2 ** 32
  }
  return Array.from({ length: count }, () => Math.round(fromMs + next() * (toMs - fromMs)))
}

const runUntilKilled = (file: string, cwd: string, afterMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "run", "--quiet", file], { cwd, stdio: "ignore" })
    let finished = false
    const timer = setTimeout(() => child.kill("SIGKILL"), afterMs)
    child.on("exit", (code) => {
      clearTimeout(timer)
      finished = code === 0
      resolve(finished)
    })
  })

describeFixtures("run resumes after SIGKILL (real captures, real CLI)", () => {
  it("ends with the rows of an uninterrupted run and never redoes a finished batch", { timeout: 600_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), "hh-resume-"))
    const pieces = writePieces(work)
    const straight = join(work, "straight")
    const straightFile = join(work, "straight.yaml")
    writeFileSync(straightFile, pipeline(straight, pieces))
    const started = Date.now()
    expect(hashhound(["run", "--quiet", straightFile], work).code).toBe(0)
    const fullMs = Date.now() - started
    const expectedFlows = await rows(straight, "flows")
    expect(expectedFlows.length).toBeGreaterThan(500)

    const killed = join(work, "killed")
    const killedFile = join(work, "killed.yaml")
    writeFileSync(killedFile, pipeline(killed, pieces))
    let redone = 0
    for (const at of moments(10, 20261125, 1500, Math.max(2500, fullMs))) {
      const before = parts(join(killed))
      const done = doneParts(killed)
      await runUntilKilled(killedFile, work, at)
      const after = parts(join(killed))
      for (const path of done) if (after.get(path) !== before.get(path)) redone++
    }
    expect(hashhound(["run", "--quiet", killedFile], work).code).toBe(0)
    expect(redone).toBe(0)
    expect(await rows(killed, "flows")).toEqual(expectedFlows)
    expect(await rows(killed, "labels")).toEqual(await rows(straight, "labels"))
    // the four pieces are one capture: the whole file's 994 flows, resumed inside any piece
    const piecesFlows = await rows(straight, "flows", "pieces")
    expect(piecesFlows).toHaveLength(994)
    expect(await rows(killed, "flows", "pieces")).toEqual(piecesFlows)
  })
})
