import { batchFromRows, goldenCases, makeFromRaw, runFeatureSql, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { hostPairPlugin, plugin } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const typeOf = (raw: unknown): unknown => (typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["type"] : undefined)

// features.temporal cases run on testkit's sample batch; features.host-pair cases on the case's flows.json, in DuckDB.
goldenCases(join(root, "testcases"), (caseDir, raw) =>
  typeOf(raw) === "features.host-pair"
    ? Effect.flatMap(makeFromRaw(hostPairPlugin, raw), (stage) => {
        if (stage.computation._tag !== "sql") return Effect.die("not a SQL group")
        const rows = JSON.parse(readFileSync(join(caseDir, "flows.json"), "utf8")) as ReadonlyArray<Row>
        const batch = batchFromRows(rows, { columns: ["flow_id", "src_ip", "dst_ip", "dst_port", "protocol", "first_seen_us"] })
        const sql = stage.computation.sql
        return Effect.map(
          Effect.mapError(runFeatureSql(batch, (table) => `${sql(table)} ORDER BY flow_id`), (reason) => new Error(reason)),
          (result) => result.rows
        )
      })
    : Effect.flatMap(makeFromRaw(plugin, raw), (stage) =>
        stage.computation._tag === "batch" ? stage.computation.compute(sampleBatch()) : Effect.die("not a batch group")
      )
)
