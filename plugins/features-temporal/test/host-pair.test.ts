import { it } from "@effect/vitest"
import { DuckDBInstance } from "@duckdb/node-api"
import { featuresContract, featuresContractViolations, makeFromYaml } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { hostPairPlugin, hostPairSql } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const exampleYaml = join(root, "host-pair", "example.yaml")
const T0 = 1_700_000_000_000_000

featuresContract(hostPairPlugin, { exampleYaml, allowGuarded: ["src_ip", "dst_ip"] })

interface Flow {
  readonly flow_id: string
  readonly src_ip: string | null
  readonly dst_ip: string | null
  readonly dst_port: number | null
  readonly protocol: number | null
  readonly first_seen_us: number | null
}

// A→B: four flows 0, 10, 30, 60 s after T0 (inserted out of order), ports 3333, 443, 3333, 3333;
// B→A: one flow (the reverse direction is another pair); C→D: two flows 5 s apart; one flow without src_ip.
const FLOWS: ReadonlyArray<Flow> = [
  { flow_id: "a3", src_ip: "10.0.0.5", dst_ip: "203.0.113.10", dst_port: 3333, protocol: 6, first_seen_us: T0 + 30_000_000 },
  { flow_id: "a1", src_ip: "10.0.0.5", dst_ip: "203.0.113.10", dst_port: 3333, protocol: 6, first_seen_us: T0 },
  { flow_id: "b1", src_ip: "203.0.113.10", dst_ip: "10.0.0.5", dst_port: 51000, protocol: 6, first_seen_us: T0 + 1_000_000 },
  { flow_id: "a2", src_ip: "10.0.0.5", dst_ip: "203.0.113.10", dst_port: 443, protocol: 6, first_seen_us: T0 + 10_000_000 },
  { flow_id: "c1", src_ip: "10.0.0.6", dst_ip: "10.0.0.1", dst_port: 53, protocol: 17, first_seen_us: T0 + 2_000_000 },
  { flow_id: "a4", src_ip: "10.0.0.5", dst_ip: "203.0.113.10", dst_port: 3333, protocol: 6, first_seen_us: T0 + 60_000_000 },
  { flow_id: "c2", src_ip: "10.0.0.6", dst_ip: "10.0.0.1", dst_port: 53, protocol: 17, first_seen_us: T0 + 7_000_000 },
  { flow_id: "n1", src_ip: null, dst_ip: "10.0.0.1", dst_port: 53, protocol: 17, first_seen_us: T0 + 8_000_000 }
]

const literal = (value: string | number | null): string => (value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value}'`)

/** Load FLOWS as table `flows` in an in-memory DuckDB, run the plugin's SELECT, rows by flow_id. */
const runSql = (sql: (table: string) => string) =>
  Effect.promise(async () => {
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    try {
      await connection.run("CREATE TABLE flows (flow_id VARCHAR, src_ip VARCHAR, dst_ip VARCHAR, dst_port INTEGER, protocol INTEGER, first_seen_us BIGINT)")
      const values = FLOWS.map((f) => `(${[f.flow_id, f.src_ip, f.dst_ip, f.dst_port, f.protocol, f.first_seen_us].map(literal).join(", ")})`)
      await connection.run(`INSERT INTO flows VALUES ${values.join(", ")}`)
      const reader = await connection.runAndReadAll(sql("flows"))
      const rows = reader.getRowObjectsJson() as ReadonlyArray<Record<string, unknown>>
      return Object.fromEntries(rows.map((row) => [String(row["flow_id"]), row]))
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
  })

const close = (actual: unknown, expected: number | null): void => {
  if (expected === null) expect(actual).toBeNull()
  else expect(actual as number).toBeCloseTo(expected, 12)
}

describe("features.host-pair (DuckDB)", () => {
  it.effect("gaps to the previous flow of the pair, and the pair's mean and CV (hand-computed)", () =>
    Effect.gen(function* () {
      const rows = yield* runSql(hostPairSql({ perService: false }))
      expect(Object.keys(rows).sort()).toEqual(FLOWS.map((f) => f.flow_id).sort())
      // A→B starts 0, 10, 30, 60 s: gaps 10, 20, 30 → mean 20, σ = √(200/3)
      const expected: Record<string, readonly [number | null, number | null, number | null]> = {
        a1: [null, 20, Math.sqrt(200 / 3) / 20],
        a2: [10, 20, Math.sqrt(200 / 3) / 20],
        a3: [20, 20, Math.sqrt(200 / 3) / 20],
        a4: [30, 20, Math.sqrt(200 / 3) / 20],
        b1: [null, null, null],
        c1: [null, 5, null],
        c2: [5, 5, null],
        n1: [null, null, null]
      }
      for (const [id, [prev, mean, cv]] of Object.entries(expected)) {
        close(rows[id]!["pair_prev_gap_s"], prev)
        close(rows[id]!["pair_gap_mean_s"], mean)
        close(rows[id]!["pair_gap_cv"], cv)
      }
    }))

  it.effect("per_service partitions by dst_port and protocol too", () =>
    Effect.gen(function* () {
      const rows = yield* runSql(hostPairSql({ perService: true }))
      // A→B:3333 starts 0, 30, 60 s: gaps 30, 30 → CV 0; A→B:443 has one flow
      expect([rows["a1"]!["pair_prev_gap_s"], rows["a3"]!["pair_prev_gap_s"], rows["a4"]!["pair_prev_gap_s"]]).toEqual([null, 30, 30])
      expect(rows["a4"]!["pair_gap_cv"]).toBe(0)
      expect([rows["a2"]!["pair_prev_gap_s"], rows["a2"]!["pair_gap_mean_s"]]).toEqual([null, null])
      expect(hostPairPlugin.columnsFor({ per_service: true }).requires).toEqual(["src_ip", "dst_ip", "dst_port", "protocol", "first_seen_us"])
    }))

  it.effect("a dataset whose addresses are NULL (not allowed, or not provided) gets null features", () =>
    Effect.gen(function* () {
      const rows = yield* runSql((table) => hostPairSql({ perService: false })(`(SELECT flow_id, CAST(NULL AS VARCHAR) AS src_ip, CAST(NULL AS VARCHAR) AS dst_ip, first_seen_us FROM ${table})`))
      for (const row of Object.values(rows)) expect([row["pair_prev_gap_s"], row["pair_gap_mean_s"], row["pair_gap_cv"]]).toEqual([null, null, null])
    }))

  it.effect("without allowed guarded columns the features contract reports the address requirement", () =>
    Effect.gen(function* () {
      const violations = yield* featuresContractViolations(hostPairPlugin, { exampleYaml })
      expect(violations.some((line) => line.includes('guarded column "src_ip"'))).toBe(true)
      expect(violations.some((line) => line.includes('guarded column "dst_ip"'))).toBe(true)
    }))

  it.effect("is a SQL group declaring its three features", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(hostPairPlugin, "type: features.host-pair\n")
      expect(stage.computation._tag).toBe("sql")
      expect(stage.features.map((spec) => spec.name)).toEqual(["pair_prev_gap_s", "pair_gap_mean_s", "pair_gap_cv"])
    }))
})
