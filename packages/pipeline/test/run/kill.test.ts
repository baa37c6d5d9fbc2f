/**
 * The kill test: a pipeline in a child process is SIGKILLed at ten random moments and started
 * again each time; the final outputs must equal those of an uninterrupted run, and no batch
 * recorded as done before a kill may be written again afterwards.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { runPipeline } from "../../src/run/index.js"
import { duckRows, listFiles, snapshot } from "./support/files.js"
import { testLayer, writeUnit } from "./support/inputs.js"
import { killSpec } from "./support/kill-child.js"

const root = mkdtempSync(join(tmpdir(), "hh-kill-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const childScript = fileURLToPath(new URL("./support/kill-child.ts", import.meta.url))
const workspace = fileURLToPath(new URL("../../../../", import.meta.url))

interface Attempt {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

/** Start the child; once it prints `started`, wait `killAfterMs` (if given) and SIGKILL it. */
const attempt = (output: string, tag: string, killAfterMs?: number): Promise<Attempt> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, root, output], {
      cwd: workspace,
      env: { ...process.env, HH_ATTEMPT: tag },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let text = ""
    child.stdout.on("data", (chunk: Buffer) => {
      const before = text
      text += chunk.toString()
      if (killAfterMs !== undefined && !before.includes("started") && text.includes("started")) {
        setTimeout(() => child.kill("SIGKILL"), killAfterMs)
      }
    })
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString()
    })
    child.on("error", reject)
    child.on("exit", (code, signal) => resolve({ code, signal, output: text }))
  })

interface Manifest {
  readonly status: string
  readonly datasets: Record<string, { units: Array<{ number: number; id: string; batches: Array<{ index: number }> }> }>
}

const readManifest = (output: string): Manifest | undefined =>
  existsSync(join(output, "manifest.json")) ? (JSON.parse(readFileSync(join(output, "manifest.json"), "utf8")) as Manifest) : undefined

/** Flows parts the manifest records as done, as `dataset/flows/part…` paths and `unit batch` keys. */
const doneBatches = (output: string) => {
  const manifest = readManifest(output)
  const files: Array<string> = []
  const keys = new Set<string>()
  for (const [dataset, record] of Object.entries(manifest?.datasets ?? {})) {
    for (const unit of record.units) {
      for (const batch of unit.batches) {
        files.push(`datasets/${dataset}/flows/part-${String(unit.number).padStart(5, "0")}-${String(batch.index).padStart(5, "0")}.parquet`)
        keys.add(`${unit.id} ${batch.index}`)
      }
    }
  }
  return { files, keys }
}

const storedRows = (output: string, what: string) => duckRows(`SELECT * FROM read_parquet('${output}/datasets/*/${what}/*.parquet') ORDER BY flow_id`)

describe("kill test", () => {
  it("SIGKILLed ten times at random moments, the run ends with the outputs of an uninterrupted one", { timeout: 150_000 }, async () => {
    writeUnit(join(root, "inputs/lab/a.jsonl"), 21, 400, 90)
    writeUnit(join(root, "inputs/lab/b.jsonl"), 22, 400, 0)
    writeUnit(join(root, "inputs/lab/c.jsonl"), 23, 350, 0)
    writeUnit(join(root, "inputs/campus/x.jsonl"), 24, 300, 0)
    writeUnit(join(root, "inputs/campus/y.jsonl"), 25, 300, 77)

    // the uninterrupted run (in this process), which also tells how long the work takes
    const reference = join(root, "reference")
    process.env["HH_ATTEMPT"] = "reference"
    const started = performance.now()
    const summary = await Effect.runPromise(runPipeline(killSpec(root, reference)).pipe(Effect.provide(testLayer())))
    const workMs = performance.now() - started
    delete process.env["HH_ATTEMPT"]
    expect(summary.status).toBe("ok")

    const output = join(root, "killed")
    const kills: Array<{ delay: number; done: number; signal: string | null }> = []
    const stamps = new Map<string, string>()
    const log = () => (existsSync(join(root, "emitted.log")) ? readFileSync(join(root, "emitted.log"), "utf8") : "")
    for (let round = 1; round <= 10; round++) {
      const before = doneBatches(output)
      const now = snapshot(existsSync(output) ? output : root)
      for (const file of before.files) stamps.set(file, now.get(file) ?? "missing")
      const logBefore = log().length
      // ten kills should land all over the run: each attempt gets a random slice of at most an
      // eighth of it (about 6 % on average), so most attempts are still working when killed and
      // the final attempt has real work left
      const delay = Math.floor(Math.random() * workMs * 0.125)
      const result = await attempt(output, String(round), delay)
      kills.push({ delay, done: before.files.length, signal: result.signal })
      expect(result.signal === "SIGKILL" || result.code === 0, `round ${round}: ${result.output}`).toBe(true)
      // a checkpointing source never emits again a batch that was done before it started
      const again = log()
        .slice(logBefore)
        .split("\n")
        .filter((line) => line.startsWith("source.test-lines "))
        .map((line) => line.split(" ").slice(1, 3).join(" "))
        .filter((key) => before.keys.has(key))
      expect(again, `round ${round} re-emitted done batches`).toEqual([])
    }
    const last = await attempt(output, "final")
    expect(last.code, last.output).toBe(0)
    expect(last.output).toContain("done ok")
    console.log(`kill test: work ${Math.round(workMs)} ms; kills (delay ms / batches done before): ${kills.map((k) => `${k.delay}/${k.done}${k.signal === null ? " (finished)" : ""}`).join(", ")}`)
    expect(kills.filter((k) => k.signal === "SIGKILL").length).toBeGreaterThanOrEqual(5)

    // batches done before a kill were never written again
    const final = snapshot(output)
    const rewritten = [...stamps.entries()].filter(([file, stamp]) => final.get(file) !== stamp).map(([file]) => file)
    expect(rewritten).toEqual([])

    // the same files and the same rows as the uninterrupted run
    expect(listFiles(output).filter((file) => !file.includes("/source/"))).toEqual(listFiles(reference).filter((file) => !file.includes("/source/")))
    for (const what of ["flows", "labels", "features/features.test-volume", "features/features.test-fanin"]) {
      const [mine, theirs] = await Promise.all([storedRows(output, what), storedRows(reference, what)])
      expect(mine.length, what).toBe(summary.datasets.reduce((sum, d) => sum + d.flows, 0))
      expect(mine, what).toEqual(theirs)
    }
    for (const file of listFiles(reference).filter((f) => f.endsWith(".json"))) {
      expect(readFileSync(join(output, file), "utf8"), file).toBe(readFileSync(join(reference, file), "utf8"))
    }
    expect(readFileSync(join(output, "models/model.test-mean/model.bin"))).toEqual(readFileSync(join(reference, "models/model.test-mean/model.bin")))
    expect(readManifest(output)?.status).toBe("complete")
  })
})
