import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, goldenCases, makeFromRaw, makeFromYaml, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { plugin, portClass } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const NaN_ = Number.NaN

featuresContract(plugin, { exampleYaml: join(root, "example.yaml") })
featuresContract(plugin, { exampleYaml: join(root, "example.yaml"), config: { port_class_one_hot: true, mining_port_prior: true } })

goldenCases(join(root, "testcases"), (_caseDir, raw) =>
  Effect.flatMap(makeFromRaw(plugin, raw), (stage) =>
    stage.computation._tag === "batch" ? stage.computation.compute(sampleBatch()) : Effect.die("not a batch group")
  )
)

const compute = (yaml: string, rows: ReadonlyArray<Row>) =>
  Effect.gen(function* () {
    const stage = yield* makeFromYaml(plugin, yaml)
    if (stage.computation._tag !== "batch") return yield* Effect.die("not a batch group")
    const out = yield* stage.computation.compute(batchFromRows(rows))
    return Object.fromEntries(Object.entries(out).map(([name, values]) => [name, Array.from(values)]))
  })

const ROWS: ReadonlyArray<Row> = [
  { dst_port: 3333, protocol: 6 },
  { dst_port: 443, protocol: 6 },
  { dst_port: 53, protocol: 17 },
  { dst_port: null, protocol: 1 },
  { dst_port: 51000, protocol: 6 },
  { dst_port: 1023, protocol: 17 },
  { dst_port: 1024, protocol: 47 },
  { dst_port: 49151, protocol: null },
  { dst_port: 49152, protocol: 6 }
]

describe("features.ports", () => {
  it("port classes at the IANA range edges", () => {
    expect([0, 1023, 1024, 49151, 49152, 65535].map(portClass)).toEqual([0, 0, 1, 1, 2, 2])
    expect([Number.NaN, -1, 65536].map(portClass)).toEqual([NaN_, NaN_, NaN_])
  })

  it.effect("default: ordinal class and protocol one-hots, no mining-port prior", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.ports\n", ROWS)
      expect(out).toEqual({
        server_port_class: [1, 0, 0, NaN_, 2, 0, 1, 1, 2],
        proto_tcp: [1, 1, 0, 0, 1, 0, 0, NaN_, 1],
        proto_udp: [0, 0, 1, 0, 0, 1, 0, NaN_, 0],
        proto_other: [0, 0, 0, 1, 0, 0, 1, NaN_, 0]
      })
    }))

  it.effect("one-hot classes and the mining-port prior with the default list", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.ports\nport_class_one_hot: true\nmining_port_prior: true\n", ROWS)
      expect(out["server_port_class"]).toBeUndefined()
      expect(out["server_port_well_known"]).toEqual([0, 1, 1, NaN_, 0, 1, 0, 0, 0])
      expect(out["server_port_registered"]).toEqual([1, 0, 0, NaN_, 0, 0, 1, 1, 0])
      expect(out["server_port_ephemeral"]).toEqual([0, 0, 0, NaN_, 1, 0, 0, 0, 1])
      expect(out["known_mining_port"]).toEqual([1, 0, 0, NaN_, 0, 0, 0, 0, 0])
    }))

  it.effect("mining_ports replaces the list", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.ports\nmining_port_prior: true\nmining_ports: [443, 51000]\n", ROWS)
      expect(out["known_mining_port"]).toEqual([0, 1, 0, NaN_, 1, 0, 0, 0, 0])
    }))

  it.effect("provides follows the config (the pipeline's validate sees the optional feature)", () =>
    Effect.sync(() => {
      expect(plugin.columnsFor({}).provides).toEqual(["server_port_class", "proto_tcp", "proto_udp", "proto_other"])
      expect(plugin.columnsFor({ mining_port_prior: true }).provides).toContain("known_mining_port")
      expect(plugin.columnsFor({}).requires).toEqual(["dst_port", "protocol"])
    }))

  it.effect("a port outside 0–65535 in mining_ports is a ConfigError at its path", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(makeFromYaml(plugin, "type: features.ports\nmining_ports: [3333, 70000]\n"))
      expect(error._tag === "ConfigError" ? error.issues.map((issue) => issue.path) : []).toContain("mining_ports.1")
    }))
})
