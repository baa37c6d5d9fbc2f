/**
 * Command-line options of `npm run bench` (tools/bench/run.mjs).
 *
 * Holds: `BenchOptions`, their defaults, `parseOptions` (argv → options, or a usage error
 * message) and `USAGE`.
 * Does not hold: what the options drive (`main.ts`).
 */

export const SECTIONS = ["fixtures", "generated", "exports"] as const
export type Section = (typeof SECTIONS)[number]
const isSection = (s: string): s is Section => (SECTIONS as ReadonlyArray<string>).includes(s)

export interface BenchOptions {
  /** minimum packets of the capture replicated from the real fixtures */
  readonly packets: number
  /** when set, the replicated capture is built to this many GB (10^9 bytes) instead */
  readonly sizeGb: number | undefined
  /** simulated seconds for `hashhound generate --scenario production` */
  readonly genDurationS: number
  /** `--time-compression` for the generator (denser sessions, so more packets per second) */
  readonly genTimeCompression: number
  readonly seed: number
  /** timed runs per tool and capture; the table shows the median wall time */
  readonly runs: number
  /** minimum rows of each replicated flow export */
  readonly exportRows: number
  /** tool ids to time (default: all) */
  readonly tools: ReadonlyArray<string> | undefined
  readonly sections: ReadonlyArray<Section>
  /** scratch folder (default: a new one under the OS temp folder) */
  readonly workDir: string | undefined
  /** keep the scratch folder (captures included) instead of deleting it */
  readonly keep: boolean
  /** also write the results as JSON here */
  readonly jsonPath: string | undefined
  readonly help: boolean
}

export const DEFAULTS: BenchOptions = {
  packets: 500_000,
  sizeGb: undefined,
  genDurationS: 45,
  genTimeCompression: 10,
  seed: 1,
  runs: 3,
  exportRows: 100_000,
  tools: undefined,
  sections: SECTIONS,
  workDir: undefined,
  keep: false,
  jsonPath: undefined,
  help: false
}

export const USAGE = `npm run bench -- [options]

  --packets N              packets in the capture replicated from the real fixtures (default 500000)
  --size-gb G              build that capture to G GB instead (e.g. 2; enables the memory target)
  --gen-duration-s S       simulated seconds for hashhound generate (default 45)
  --gen-time-compression F generator --time-compression (default 10)
  --seed N                 generator seed (default 1)
  --runs N                 timed runs per tool and capture, median reported (default 3)
  --export-rows N          rows of each replicated flow export (default 100000)
  --tools a,b              only these tools (hashhound,ndpiReader,tshark,argus,nfpcapd)
  --only a,b               only these sections (fixtures,generated,exports)
  --work-dir DIR           scratch folder (default: a new temp folder, deleted at the end)
  --keep                   keep the scratch folder and its captures
  --json PATH              also write the results as JSON
  -h, --help               this text`

const positive = (name: string, raw: string | undefined): number | string => {
  const value = Number(raw)
  return raw === undefined || !Number.isFinite(value) || value <= 0 ? `${name} needs a positive number` : value
}

/** Parse argv (without node and script); a string is a usage error. */
export const parseOptions = (argv: ReadonlyArray<string>): BenchOptions | string => {
  let options: BenchOptions = DEFAULTS
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const next = (): string | undefined => argv[++i]
    const num = (name: string): number | string => positive(name, next())
    switch (flag) {
      case "-h":
      case "--help":
        options = { ...options, help: true }
        break
      case "--keep":
        options = { ...options, keep: true }
        break
      case "--packets":
      case "--size-gb":
      case "--gen-duration-s":
      case "--gen-time-compression":
      case "--seed":
      case "--runs":
      case "--export-rows": {
        const value = num(flag)
        if (typeof value === "string") return value
        const key = {
          "--packets": "packets",
          "--size-gb": "sizeGb",
          "--gen-duration-s": "genDurationS",
          "--gen-time-compression": "genTimeCompression",
          "--seed": "seed",
          "--runs": "runs",
          "--export-rows": "exportRows"
        }[flag]
        options = { ...options, [key]: key === "sizeGb" || key === "genTimeCompression" ? value : Math.round(value) }
        break
      }
      case "--tools": {
        const list = next()
        if (list === undefined || list === "") return "--tools needs a comma-separated list"
        options = { ...options, tools: list.split(",") }
        break
      }
      case "--only": {
        const raw = (next() ?? "").split(",").filter((s) => s !== "")
        const list = raw.filter(isSection)
        if (list.length === 0 || list.length < raw.length) return `--only takes ${SECTIONS.join(",")}`
        options = { ...options, sections: list }
        break
      }
      case "--work-dir":
      case "--json": {
        const value = next()
        if (value === undefined) return `${flag} needs a path`
        options = flag === "--json" ? { ...options, jsonPath: value } : { ...options, workDir: value }
        break
      }
      default:
        return `unknown option ${flag}`
    }
  }
  return options
}
