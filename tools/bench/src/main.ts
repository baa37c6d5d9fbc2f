/**
 * `npm run bench`: hashhound's throughput and memory against ndpiReader, tshark, argus and
 * nfpcapd on the same captures in the same run, plus generation speed and flow-export parse
 * speed. Prints the machine (nproc, load average), tool versions, one table per capture and
 * the targets as pass/fail; `--json` also writes the figures.
 *
 * Holds: the orchestration and the printed report.
 * Does not hold: inputs (`inputs.ts`), commands (`contenders.ts`), measurement (`measure.ts`,
 * `suite.ts`) or table layout (`report.ts`). Captures live in a temp folder that is deleted at
 * the end unless --keep.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { HASHHOUND, REFERENCE_TOOLS, hashhoundContender, locate, type Located } from "./contenders.js"
import { buildExports, buildFixtureCapture, fixturesDir, generateCapture, type GeneratedCapture } from "./inputs.js"
import { GNU_TIME } from "./measure.js"
import { USAGE, parseOptions, type BenchOptions } from "./options.js"
import { captureTable, evaluateTargets, fmt, formatTable, type ToolResult } from "./report.js"
import { timeContenders, timeOne } from "./suite.js"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const cliScript = join(repoRoot, "packages", "cli", "bin", "hashhound.mjs")
const launcher = join(repoRoot, "packages", "cli", "bin", "hashhound")
// the launcher execs the `node` on PATH: make that this Node
process.env["PATH"] = [dirname(process.execPath), process.env["PATH"] ?? ""].join(delimiter)
const log = (line = ""): void => console.log(line)
const load = (): string => loadavg().map((v) => v.toFixed(2)).join(" ")

const gitRevision = (): string => {
  const rev = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" })
  const dirty = spawnSync("git", ["status", "--porcelain"], { cwd: repoRoot, encoding: "utf8" })
  const head = rev.status === 0 ? rev.stdout.trim() : "unknown"
  return dirty.status === 0 && dirty.stdout.trim() !== "" ? `${head} + uncommitted changes` : head
}

interface CaptureRun {
  readonly name: string
  readonly path: string
  readonly packets: number
  readonly bytes: number
  readonly results: ReadonlyArray<ToolResult>
}

const reportCapture = (run: CaptureRun, startupS: number | undefined, memoryTarget: boolean): void => {
  log()
  log(`== ${run.name}: ${fmt(run.packets)} packets, ${fmt(run.bytes / 1e6, 1)} MB ==`)
  log(captureTable(run.packets, run.results, HASHHOUND))
  const own = run.results.find((r) => r.tool === HASHHOUND)
  if (own?.wallS !== undefined && startupS !== undefined && own.wallS > startupS) {
    log(
      `hashhound net of its ${startupS.toFixed(2)} s startup: ${fmt(run.packets / (own.wallS - startupS))} packets/s ` +
        `(wall ${own.wallS.toFixed(2)} s − startup)`
    )
  }
  for (const t of evaluateTargets(run.packets, run.results, HASHHOUND, memoryTarget)) {
    log(`target ${t.verdict === "pass" ? "PASS" : t.verdict === "fail" ? "FAIL" : "----"}  ${t.target}: ${t.detail}`)
  }
}

/** Generate attempts at most: packets do not grow in proportion to the duration (connection set-up, seeded traffic mix). */
const GENERATE_TRIES = 4

const generated = async (options: BenchOptions, dir: string): Promise<GeneratedCapture> => {
  let duration = options.genDurationS
  let capture = await generateCapture(cliScript, join(dir, "gen"), duration, options.genTimeCompression, options.seed)
  for (let tries = 1; tries < GENERATE_TRIES && capture.packets > 0 && capture.packets < options.packets; tries++) {
    duration = Math.max(duration + 1, Math.ceil((duration * options.packets * 1.05) / capture.packets))
    log(`  ${fmt(capture.packets)} packets is under ${fmt(options.packets)}: generating again with --duration-s ${duration}`)
    rmSync(join(dir, "gen"), { recursive: true, force: true })
    capture = await generateCapture(cliScript, join(dir, "gen"), duration, options.genTimeCompression, options.seed)
  }
  return capture
}

const main = async (options: BenchOptions): Promise<void> => {
  const fixtures = fixturesDir(repoRoot)
  const created = options.workDir === undefined
  const work = options.workDir === undefined ? mkdtempSync(join(tmpdir(), "hashhound-bench-")) : resolve(options.workDir)
  mkdirSync(work, { recursive: true })
  const scratch = join(work, "scratch")
  mkdirSync(scratch, { recursive: true })
  const memoryTarget = options.sizeGb !== undefined && options.sizeGb >= 2
  const started = new Date()
  const loadAtStart = load()

  log(`hashhound benchmark — ${started.toISOString()}`)
  log(`command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`)
  log(`machine: nproc ${cpus().length} (${cpus()[0]?.model.trim() ?? "unknown CPU"}), RAM ${fmt(totalmem() / 2 ** 30, 1)} GiB (${fmt(freemem() / 2 ** 30, 1)} free)`)
  log(`load average at start (1/5/15 min): ${loadAtStart}`)
  log(`node ${process.version}, hashhound at git ${gitRevision()}`)
  log(`measuring with ${existsSync(GNU_TIME) ? `${GNU_TIME} -v (wall from Node's clock, peak RSS and CPU from GNU time)` : "/proc polling (VmHWM, every 20 ms)"}; median of ${options.runs} run(s)`)
  log(`scratch folder: ${work}`)

  const wanted = (id: string): boolean => options.tools === undefined || options.tools.includes(id)
  const known = [HASHHOUND, ...REFERENCE_TOOLS.map((t) => t.id)]
  for (const name of options.tools ?? []) if (!known.includes(name)) log(`  ${name}: unknown tool, ignored (known: ${known.join(", ")})`)
  const located: ReadonlyArray<Located> = [hashhoundContender(launcher), ...REFERENCE_TOOLS].filter((c) => wanted(c.id)).map(locate)
  const hashhound = located.find((l) => l.contender.id === HASHHOUND)
  for (const l of located) {
    log(`  ${l.contender.id.padEnd(10)} ${l._tag === "Found" ? `${l.version}  (${l.path})` : l.reason}`)
  }

  const results: Record<string, unknown> = { date: started.toISOString(), nproc: cpus().length, loadAtStart, options, captures: [] }
  const captures: Array<CaptureRun> = []
  let gen: GeneratedCapture | undefined

  log()
  log("== inputs ==")
  if (options.sections.includes("fixtures")) {
    const minBytes = options.sizeGb === undefined ? 0 : options.sizeGb * 1e9
    const built = buildFixtureCapture(fixtures, join(work, "fixtures-replicated.pcap"), options.packets, minBytes)
    log(
      `fixture capture: ${built.sources} real captures, ${fmt(built.packetsPerRound)} packets per round × ${built.rounds} rounds = ` +
        `${fmt(built.packets)} packets, ${fmt(built.bytes / 1e6, 1)} MB, spanning ${fmt(built.spanS / 3600, 1)} h, built in ${built.buildS.toFixed(1)} s` +
        (built.skipped > 0 ? ` (${built.skipped} non-Ethernet/unsupported records skipped)` : "")
    )
    captures.push({ name: "real fixtures, replicated", path: built.path, packets: built.packets, bytes: built.bytes, results: [] })
  }
  if (options.sections.includes("generated") || options.sections.includes("exports")) {
    gen = await generated(options, work)
    log(
      `generated capture: ${fmt(gen.packets)} packets, ${fmt(gen.bytes / 1e6, 1)} MB, ${fmt(gen.flows)} flows, written in ` +
        `${gen.measurement.wallS.toFixed(2)} s (${gen.command})`
    )
    if (options.sections.includes("generated")) {
      captures.push({ name: "hashhound generate --scenario production", path: gen.path, packets: gen.packets, bytes: gen.bytes, results: [] })
    }
  }

  let startupS: number | undefined
  if (hashhound !== undefined) {
    // untimed: builds the CLI bundle if the sources changed since the last build, so no timed run includes a build
    spawnSync(process.execPath, [cliScript, "--version"], { stdio: "ignore" })
    log()
    log("== hashhound startup: flows on a 10-packet capture ==")
    const tiny = await timeOne(hashhound, join(fixtures, "mining/peafowl-ethereum-js-http.pcap"), options.runs, scratch, log)
    startupS = tiny.wallS
    log(`startup: ${fmt(tiny.wallS, 2)} s wall, ${fmt(tiny.cpuS, 2)} s CPU, ${fmt(tiny.peakRssMb, 1)} MB peak RSS`)
    results["startup"] = tiny
  }

  const timed: Array<CaptureRun> = []
  for (const capture of captures) {
    log()
    log(`== timing on ${capture.name} ==`)
    const res = await timeContenders(located, capture.path, options.runs, scratch, log)
    timed.push({ ...capture, results: res })
  }
  for (const run of timed) reportCapture(run, startupS, memoryTarget)
  results["captures"] = timed

  if (gen !== undefined) {
    log()
    log("== generation speed ==")
    const mbPerS = gen.writtenBytes / 1e6 / gen.measurement.wallS
    log(
      `hashhound generate: ${fmt(gen.writtenBytes / 1e6, 1)} MB in ${gen.measurement.wallS.toFixed(2)} s = ${fmt(mbPerS, 1)} MB/s, ` +
        `${fmt(gen.packets / gen.measurement.wallS)} packets/s, ${fmt(gen.measurement.cpuS, 2)} s CPU, ${fmt(gen.measurement.peakRssMb, 1)} MB peak RSS`
    )
    results["generate"] = { ...gen, mbPerS }
  }

  if (options.sections.includes("exports") && hashhound !== undefined) {
    log()
    log("== flow-export parse speed: hashhound flows on real exports, rows repeated ==")
    const exports = buildExports(fixtures, join(work, "exports"), options.exportRows)
    const rows: Array<ReadonlyArray<string>> = []
    const exportResults: Array<unknown> = []
    for (const e of exports) {
      const r = await timeOne(hashhound, e.path, options.runs, scratch, log)
      const net = r.wallS !== undefined && startupS !== undefined && r.wallS > startupS ? e.rows / (r.wallS - startupS) : undefined
      rows.push([
        e.label,
        `${fmt(e.sourceRows)}×${Math.round(e.rows / e.sourceRows)}`,
        fmt(e.rows),
        fmt(e.bytes / 1e6, 1),
        r.unavailable ?? fmt(r.wallS, 2),
        fmt(r.wallS === undefined ? undefined : e.rows / r.wallS),
        fmt(net),
        fmt(r.wallS === undefined ? undefined : e.bytes / 1e6 / r.wallS, 1),
        fmt(r.peakRssMb, 1),
        fmt(r.flows)
      ])
      exportResults.push({ ...e, result: r, rowsPerS: r.wallS === undefined ? undefined : e.rows / r.wallS, rowsPerSNet: net })
    }
    log()
    log(formatTable(["export", "source rows×", "rows", "MB", "wall s", "rows/s", "rows/s net", "MB/s", "peak RSS MB", "flows out"], rows))
    log('"rows/s net" subtracts the startup time measured above.')
    results["exports"] = exportResults
  }

  const loadAtEnd = load()
  results["loadAtEnd"] = loadAtEnd
  log()
  log(`load average at end (1/5/15 min): ${loadAtEnd}; finished ${new Date().toISOString()}`)
  if (options.jsonPath !== undefined) {
    writeFileSync(resolve(options.jsonPath), JSON.stringify(results, null, 2) + "\n")
    log(`results written to ${resolve(options.jsonPath)}`)
  }
  if (options.keep) log(`kept ${work}`)
  else if (created) rmSync(work, { recursive: true, force: true })
  else rmSync(scratch, { recursive: true, force: true })
}

const parsed = parseOptions(process.argv.slice(2))
if (typeof parsed === "string") {
  console.error(`${parsed}\n\n${USAGE}`)
  process.exitCode = 2
} else if (parsed.help) {
  log(USAGE)
} else {
  await main(parsed).catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
