/**
 * `hashhound flows INPUT… --out PATH --format parquet|csv|jsonl`: any capture or flow export to
 * canonical flows in one file (or on stdout with `--out -`). The format of each input is detected
 * from its content by the registered sources' `detect` (not from its name); folders and globs are
 * expanded. Each input's flows carry its file name as `capture` (and in `flow_id`), or its path
 * below the folder all inputs share where two inputs have the same file name. The capture-metering flags
 * (`--byte-layer`, `--idle-timeout`, `--active-timeout`) go into each input's source config where
 * it takes them; an input whose source does not (a flow export) is named in a note.
 */
import { Args, Command, Options } from "@effect/cli"
import { Finding, InputError, PluginRegistry, stampIdentity, type AnyPlugin, type Plugin, type UnknownPluginError } from "@hashhound/core"
import { describeUnread, expandPaths, isGzip, readContentHead, readHead } from "@hashhound/flowmeter"
import { Storage, StorageLive, type FileFormat } from "@hashhound/pipeline/storage"
import { Console, Effect, Either, Option, Stream } from "effect"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, extname, join, relative, sep } from "node:path"
import { UsageError } from "../exit.js"
import { inputsBesideOutput, outputTarget, streamOut } from "../output-path.js"
import { quietOption } from "../options.js"
import { sourceConfig } from "../source-config.js"

const FORMATS = ["parquet", "csv", "jsonl"] as const

/**
 * The source plugin most confident that `path` is its format (at least 0.5), or an InputError
 * that says what the file looks like instead (an empty file, zstd, a snoop capture, text, …).
 */
export const detectSource = (
  plugins: ReadonlyArray<AnyPlugin>,
  path: string
): Effect.Effect<Plugin<"source">, InputError> =>
  Effect.gen(function* () {
    const raw = yield* readHead(path)
    const content = yield* readContentHead(path)
    // a gzip file is judged by what it unpacks to: every source reads gzip, and its magic alone
    // says nothing of what is inside (a compressed log in a folder of captures is skipped, not read)
    const head = isGzip(raw) ? content : raw
    let best: { plugin: Plugin<"source">; score: number } | undefined
    for (const plugin of plugins) {
      if (plugin.kind !== "source" || plugin.detect === undefined) continue
      const score = plugin.detect(head, path)
      if (score >= 0.5 && (best === undefined || score > best.score)) best = { plugin, score }
    }
    if (best === undefined) {
      const known = plugins.filter((p) => p.kind === "source" && p.detect !== undefined).map((p) => p.id)
      return yield* new InputError({
        path,
        reason: `not a capture or flow export that hashhound reads: it looks like ${describeUnread(raw, content)} (tried ${known.join(", ")})`
      })
    }
    return best.plugin
  })

/**
 * Flows per batch: the output is one file whatever the batch size, so batches are kept small
 * (a batch is built, copied for the part writer's thread and encoded there while the
 * next is read; at the sources' default of 65,536 flows that held several hundred MB at once).
 */
const BATCH_FLOWS = 8192

/**
 * DuckDB threads, where the export needs DuckDB (parts whose columns differ, united by name):
 * one. A merge with one thread keeps one row group in memory where the default (a thread per
 * core, order preserved) held several hundred MB. An export of one schema loads no DuckDB.
 */
const EXPORT_THREADS = 1

/** The capture-metering flags: their source config key, for the notes on inputs they do not fit. */
const METER_FLAGS: Readonly<Record<string, string>> = {
  idle_timeout_s: "--idle-timeout",
  active_timeout_s: "--active-timeout",
  byte_layer: "--byte-layer",
  tunnels: "--tunnels",
  duplicates: "--duplicates",
  sequence: "--sequence"
}

/** A timeout flag's value, refused (exit 2) unless it is a positive number of seconds. */
const timeoutSetting = (flag: string, key: string, given: Option.Option<number>): Effect.Effect<Record<string, number>, UsageError> =>
  Option.match(given, {
    onNone: () => Effect.succeed({}),
    onSome: (seconds) =>
      Number.isFinite(seconds) && seconds > 0
        ? Effect.succeed({ [key]: seconds })
        : Effect.fail(new UsageError({ option: flag, reason: `${seconds} is not a positive number of seconds` }))
  })

const formatOf = (out: string, given: Option.Option<FileFormat>): FileFormat => {
  if (Option.isSome(given)) return given.value
  const ext = extname(out).slice(1).toLowerCase()
  return ext === "csv" ? "csv" : ext === "jsonl" || ext === "json" || ext === "ndjson" ? "jsonl" : "parquet"
}

/**
 * The `capture` name of each input (it also makes `flow_id` unique): its file name, or, for inputs
 * that share a file name, their path below the folder all inputs share (`a/x.pcap`, `b/x.pcap`).
 */
export const captureNames = (files: ReadonlyArray<string>): ReadonlyMap<string, string> => {
  const uses = new Map<string, number>()
  for (const file of files) uses.set(basename(file), (uses.get(basename(file)) ?? 0) + 1)
  let common = files.length === 0 ? [] : dirname(files[0]!).split(sep)
  for (const file of files) {
    const parts = dirname(file).split(sep)
    let same = 0
    while (same < common.length && same < parts.length && common[same] === parts[same]) same++
    common = common.slice(0, same)
  }
  const base = common.join(sep) || sep
  return new Map(files.map((file) => [file, (uses.get(basename(file)) ?? 0) > 1 ? relative(base, file).split(sep).join("/") : basename(file)]))
}

/**
 * `--sequence`: the inputs of each source that takes `sequence`, as one group per source (its
 * plan makes one capture of each folder's pieces); the others, one group per input, as without it.
 */
const piecesTogether = (
  chosen: ReadonlyArray<{ readonly file: string; readonly plugin: Plugin<"source"> }>
): ReadonlyArray<{ readonly files: ReadonlyArray<string>; readonly plugin: Plugin<"source"> }> => {
  const groups: Array<{ files: Array<string>; plugin: Plugin<"source"> }> = []
  for (const { file, plugin } of chosen) {
    const joins = Either.isRight(plugin.decode({ paths: [file], sequence: true }))
    const group = joins ? groups.find((entry) => entry.plugin.id === plugin.id) : undefined
    if (group !== undefined) group.files.push(file)
    else groups.push({ files: [file], plugin })
  }
  return groups
}

const summarizeFindings = (findings: ReadonlyArray<Finding>): ReadonlyArray<string> => {
  const byCode = new Map<string, { count: number; example: Finding }>()
  for (const finding of findings) {
    const key = `${finding.capture ?? ""}\u0000${finding.code}`
    const entry = byCode.get(key) ?? { count: 0, example: finding }
    entry.count += finding.count ?? 1
    byCode.set(key, entry)
  }
  return [...byCode.values()].map(
    ({ count, example }) =>
      `${example.severity}: ${example.capture ?? ""} ${example.code} ×${count}${example.offset === undefined ? "" : ` (first at byte ${example.offset})`}: ${example.message}`
  )
}

export const flowsCommand = Command.make(
  "flows",
  {
    inputs: Args.text({ name: "INPUT" }).pipe(Args.atLeast(1), Args.withDescription("captures or flow exports: files, folders, globs")),
    out: Options.text("out").pipe(Options.withDescription("output file, replaced once the export is done; - (stdout), a pipe or a device gets the finished export's bytes")),
    format: Options.choice("format", FORMATS).pipe(
      Options.optional,
      Options.withDescription("parquet (default), csv or jsonl; by default from the --out extension")
    ),
    source: Options.text("source").pipe(Options.optional, Options.withDescription("force a source plugin id instead of detecting")),
    batchFlows: Options.integer("batch-flows").pipe(
      Options.withDefault(BATCH_FLOWS),
      Options.withDescription(`flows per batch for sources that take batch_flows (default ${BATCH_FLOWS}); smaller uses less memory`)
    ),
    idleTimeout: Options.float("idle-timeout").pipe(
      Options.optional,
      Options.withDescription("captures: a flow with no packet for this many seconds ends (default 120)")
    ),
    activeTimeout: Options.float("active-timeout").pipe(
      Options.optional,
      Options.withDescription("captures: a flow older than this many seconds ends and the next packet starts a new one (default 1800)")
    ),
    byteLayer: Options.choice("byte-layer", ["ip", "link"]).pipe(
      Options.optional,
      Options.withDescription("captures: ip (IP total length, the flow schema's rule; default) or link (each frame's length on the wire, as nDPI and tshark count)")
    ),
    tunnels: Options.choice("tunnels", ["inner", "outer"]).pipe(
      Options.optional,
      Options.withDescription("captures: meter a GRE, ERSPAN, IP-in-IP, VXLAN, GENEVE or GTP-U packet as the packet inside (inner; default) or as the tunnel (outer)")
    ),
    duplicates: Options.choice("duplicates", ["keep", "drop"]).pipe(
      Options.optional,
      Options.withDescription("captures: a packet repeating one of its flow and direction less than 1 ms earlier (seen twice by a mirror) is kept (default) or dropped; either way it is counted")
    ),
    sequence: Options.boolean("sequence").pipe(
      Options.withDescription("captures: the inputs in one folder are the pieces of one capture (tcpdump -C/-G/-W, dumpcap -b), metered as one in the order of their first packets, so a flow crossing from one file into the next stays one flow")
    ),
    quiet: quietOption
  },
  ({ inputs, out, format, source, quiet, batchFlows, idleTimeout, activeTimeout, byteLayer, tunnels, duplicates, sequence }) =>
    Effect.gen(function* () {
      const output = outputTarget(out, process.cwd())
      // refused before any input is read: the export would otherwise fail only at its very end
      if (output._tag === "file" && statSync(output.path, { throwIfNoEntry: false })?.isDirectory() === true) {
        return yield* new UsageError({ option: "--out", reason: `${out} is a folder; name the file to write (e.g. ${join(out, "flows.parquet")})` })
      }
      const settings = {
        batch_flows: batchFlows,
        ...(yield* timeoutSetting("--idle-timeout", "idle_timeout_s", idleTimeout)),
        ...(yield* timeoutSetting("--active-timeout", "active_timeout_s", activeTimeout)),
        ...(Option.isSome(byteLayer) ? { byte_layer: byteLayer.value } : {}),
        ...(Option.isSome(tunnels) ? { tunnels: tunnels.value } : {}),
        ...(Option.isSome(duplicates) ? { duplicates: duplicates.value } : {}),
        ...(sequence ? { sequence: true } : {})
      }
      const registry = yield* PluginRegistry
      const storage = yield* Storage
      const files = yield* expandPaths(inputs, process.cwd()).pipe(
        Effect.flatMap((found) => (output._tag === "file" ? inputsBesideOutput(out, inputs, found, process.cwd()) : Effect.succeed(found)))
      )
      const workDir = mkdtempSync(join(tmpdir(), "hashhound-flows-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(workDir, { recursive: true, force: true })))
      const fileFormat = formatOf(out, format)
      // a stream gets the finished file's bytes: a pipe or device is never replaced by a file
      const target = output._tag === "file" ? output.path : join(workDir, `export.${fileFormat}`)
      const findings: Array<Finding> = []
      const pick = (file: string): Effect.Effect<Plugin<"source">, InputError | UnknownPluginError> =>
        Option.isSome(source) ? registry.getKind(source.value, "source") : detectSource(registry.plugins, file)
      // an input no source recognises is skipped with a message; the others are still converted
      const picked = yield* Effect.forEach(files, (file) =>
        pick(file).pipe(
          Effect.map((plugin) => Option.some({ file, plugin })),
          Effect.catchTag("InputError", (error) => Effect.as(Console.error(`skipped: ${error.message}`), Option.none()))
        )
      )
      const chosen = picked.filter(Option.isSome).map((entry) => entry.value)
      if (chosen.length === 0) {
        return yield* new InputError({ path: inputs.join(" "), reason: "no input is a capture or flow export that hashhound reads" })
      }
      const names = captureNames(chosen.map((entry) => entry.file))
      const batches = Stream.fromIterable(sequence ? piecesTogether(chosen) : chosen.map(({ file, plugin }) => ({ files: [file], plugin }))).pipe(
        Stream.mapEffect(({ files: group, plugin }) =>
          Effect.gen(function* () {
            const file = group[0]!
            if (!quiet) yield* Console.error(`${group.length === 1 ? file : `${file} and ${group.length - 1} more file(s)`}: ${plugin.id}`)
            const config = sourceConfig(plugin, group, settings)
            const unfit = config.ignored.flatMap((key) => METER_FLAGS[key] ?? [])
            if (unfit.length > 0) yield* Console.error(`note: ${file}: ${unfit.join(", ")} not applied: ${plugin.id} takes its flows as the exporter made them`)
            const stage = yield* plugin.make(config.raw)
            // nothing is stored or resumed: no content hashes (a full extra read of every input), no checkpoints
            const ctx = { dataset: "flows", baseDir: dirname(file), workDir, resumable: false }
            const units = yield* stage.plan(ctx)
            return Stream.fromIterable(units).pipe(
              Stream.flatMap((unit) => {
                const capture = names.get(unit.path ?? file) ?? basename(unit.path ?? unit.id)
                return stage.read(unit, ctx).pipe(
                  Stream.filterMap((event) => {
                    if (event._tag === "Finding") {
                      const finding = event.finding
                      findings.push(finding.capture === unit.id ? new Finding({ ...finding, capture }) : finding)
                      return Option.none()
                    }
                    return Option.some(stampIdentity(event.batch, "flows", capture, event.index))
                  })
                )
              })
            )
          })
        ),
        Stream.flatten()
      )
      // the batches are made here for the export alone: their buffers are reused once written
      const summary = yield* storage.exportBatches(batches, target, fileFormat, { recycle: true })
      if (output._tag === "stream") yield* streamOut(target, output)
      for (const line of summarizeFindings(findings)) yield* Console.error(line)
      yield* Console.error(`${summary.rows.toLocaleString("en-US")} flows from ${chosen.length} input(s) → ${output._tag === "file" ? output.path : output.name}`)
      if (chosen.length < files.length) yield* Console.error(`${files.length - chosen.length} input(s) skipped`)
    }).pipe(Effect.scoped, Effect.provide(StorageLive({ threads: EXPORT_THREADS })))
).pipe(Command.withDescription("Convert captures (pcap, pcapng, gzip) and flow exports (CICFlowMeter, Zeek, Argus, nfdump) into canonical flows."))
