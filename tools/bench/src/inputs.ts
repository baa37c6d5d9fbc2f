/**
 * The benchmark's inputs, built into the scratch folder (never into the repository): a capture
 * replicated from the real fixture captures, a capture from `hashhound generate`, and flow
 * exports replicated from the real Zeek / CICFlowMeter / Argus / nfdump fixtures.
 *
 * Holds: where the fixtures are (HASHHOUND_FIXTURES, else `<repo>/../shared/fixtures`), the
 * fixture lists, `buildFixtureCapture`, `generateCapture` (timed, for the generation-speed
 * figure) and `buildExports`.
 * Does not hold: the packet replay itself (`replicate-capture.ts`, `replicate-exports.ts`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { buildTemplate, readCapturePackets } from "./fixture-packets.js"
import { measureCommand, type Measurement } from "./measure.js"
import { replicateExport, type ExportFormat, type ExportReplica } from "./replicate-exports.js"
import { writeReplicatedCapture, type ReplicaResult } from "./replicate-capture.js"

export const fixturesDir = (repoRoot: string): string => {
  const env = process.env["HASHHOUND_FIXTURES"]
  return env !== undefined && env !== "" ? resolve(env) : resolve(repoRoot, "..", "shared", "fixtures")
}

/**
 * The real captures replayed. `mining/ndpi-mining.pcapng` is left out: it is a merge of
 * peafowl-stratum, peafowl-monero and nesfit-eth, which are in the list already.
 */
export const FIXTURE_CAPTURES: ReadonlyArray<string> = [
  "mining/nesfit-cgminer.s0.pcapng",
  "mining/nesfit-cgminer.s1.pcapng",
  "mining/nesfit-eth-eu1.nanopool.org.pcapng",
  "mining/peafowl-stratum.pcap",
  "mining/peafowl-monero.pcap",
  "mining/peafowl-ethereum-js-http.pcap",
  "mining/ndpi-monero.pcap",
  "normal/infectedPCAP-infected.pcap",
  "normal/ndpi-443-firefox.pcap",
  "normal/pcapplusplus-4KHttpRequests.pcap",
  "normal/pcapplusplus-example.pcap",
  "normal/pcapplusplus-example2.pcap",
  "normal/slips-test7-malicious.pcap"
]

export interface ExportFixture {
  readonly label: string
  readonly path: string
  readonly format: ExportFormat
}

export const FIXTURE_EXPORTS: ReadonlyArray<ExportFixture> = [
  { label: "Zeek conn.log (TSV)", path: "flows/zeek/brimdata-zed-conn.log", format: "zeek-tsv" },
  { label: "Zeek conn.log (JSON)", path: "flows/zeek/slips-test9-conn-json.log", format: "zeek-json" },
  { label: "CICFlowMeter CSV", path: "flows/cicids2017/improved-BENIGN_2500.csv", format: "csv" },
  { label: "Argus binetflow", path: "flows/argus/slips-test2-malicious.binetflow", format: "csv" },
  { label: "nfdump CSV", path: "flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv", format: "nfdump-csv" }
]

export interface FixtureCapture extends ReplicaResult {
  readonly sources: number
  readonly packetsPerRound: number
  readonly skipped: number
  readonly buildS: number
}

/** Replay the fixture captures into `path` until `minPackets` packets or `minBytes` bytes. */
export const buildFixtureCapture = (fixtures: string, path: string, minPackets: number, minBytes: number): FixtureCapture => {
  const started = performance.now()
  const captures = FIXTURE_CAPTURES.map((rel) => readCapturePackets(join(fixtures, rel)))
  const template = buildTemplate(captures)
  const result = writeReplicatedCapture(path, template, { minPackets, minBytes })
  return {
    ...result,
    sources: captures.length,
    packetsPerRound: template.packets,
    skipped: captures.reduce((sum, c) => sum + c.skipped, 0),
    buildS: (performance.now() - started) / 1000
  }
}

export interface GeneratedCapture {
  readonly path: string
  readonly packets: number
  readonly bytes: number
  readonly flows: number | undefined
  /** bytes of all files `generate` wrote (captures, labels, metadata) */
  readonly writtenBytes: number
  readonly measurement: Measurement
  readonly command: string
}

const folderBytes = (dir: string): number =>
  readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0)

/** Run `hashhound generate --scenario production` into a fresh `dir`, measured. */
export const generateCapture = async (
  cliScript: string,
  dir: string,
  durationS: number,
  timeCompression: number,
  seed: number
): Promise<GeneratedCapture> => {
  mkdirSync(dir, { recursive: true })
  const args = [
    cliScript, "generate", "--scenario", "production", "--out", dir,
    "--duration-s", String(durationS), "--seed", String(seed), "--time-compression", String(timeCompression)
  ]
  const measurement = await measureCommand(
    { command: process.execPath, args, stdoutPath: join(dir, "..", "generate.stdout"), stderrPath: join(dir, "..", "generate.stderr") },
    join(dir, "..", "generate.time")
  )
  if (measurement.exitCode !== 0) {
    throw new Error(`hashhound generate failed (exit ${measurement.exitCode}): ${readFileSync(join(dir, "..", "generate.stderr"), "utf8").slice(-400)}`)
  }
  const pcap = readdirSync(dir).find((name) => name.endsWith(".pcap"))
  if (pcap === undefined) throw new Error(`hashhound generate wrote no .pcap into ${dir}`)
  const metaPath = join(dir, pcap.replace(/\.pcap$/, ".meta.json"))
  const meta: unknown = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, "utf8")) : {}
  const field = (name: string): number | undefined => {
    const value = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)[name] : undefined
    return typeof value === "number" ? value : undefined
  }
  const path = join(dir, pcap)
  return {
    path,
    packets: field("packets") ?? 0,
    bytes: statSync(path).size,
    flows: field("flows"),
    writtenBytes: folderBytes(dir),
    measurement,
    command: `hashhound generate --scenario production --out DIR --duration-s ${durationS} --seed ${seed} --time-compression ${timeCompression}`
  }
}

export interface BuiltExport extends ExportReplica {
  readonly label: string
}

/** Replicate every fixture export to at least `minRows` rows into `dir`. */
export const buildExports = (fixtures: string, dir: string, minRows: number): ReadonlyArray<BuiltExport> => {
  mkdirSync(dir, { recursive: true })
  return FIXTURE_EXPORTS.map((e) => {
    const source = join(fixtures, e.path)
    const name = e.path.split("/").pop() ?? "export"
    const replica = replicateExport(source, e.format, join(dir, `x-${name}`), minRows)
    return { ...replica, label: e.label }
  })
}
