/**
 * `hh_batch`: a lent FlowBatch read by SQL in place, chunk by chunk, and nothing readable
 * once it is given back.
 */
import { it } from "@effect/vitest"
import { DuckDBInstance } from "@duckdb/node-api"
import { FlowBatchBuilder } from "@hashhound/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { BatchScans } from "../../src/storage/batch-scan.js"
import { storedColumns } from "../../src/storage/column-kinds.js"
import { CHUNK_ROWS } from "../../src/storage/arrow-to-duckdb.js"
import { plainRows, sampleBatch } from "./sample-batches.js"

type Connection = Awaited<ReturnType<DuckDBInstance["connect"]>>

/** A fresh instance with `hh_batch` registered (once, on its first connection). */
const withConnection = <A>(use: (connection: Connection, scans: BatchScans, instance: DuckDBInstance) => Promise<A>) =>
  Effect.promise(async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" })
    try {
      const connection = await instance.connect()
      const scans = new BatchScans()
      scans.register(connection)
      try {
        return await use(connection, scans, instance)
      } finally {
        connection.closeSync()
      }
    } finally {
      instance.closeSync()
    }
  })

const columnsOf = (batch: ReturnType<typeof sampleBatch>) => {
  const planned = storedColumns(batch)
  if ("problem" in planned) throw new Error(planned.problem)
  return planned.columns
}

describe("hh_batch", () => {
  it.effect("reads every row and cell of a lent batch over several chunks, in row order", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(2 * CHUNK_ROWS + 123, 11)
      const expected = plainRows(batch)
      const rows = yield* withConnection((connection, scans) =>
        scans.lend(columnsOf(batch), batch.numRows, async (source) => {
          const reader = await connection.runAndReadAll(`SELECT src_ip, fwd_bytes, splt_len, tls_sni, dataset, capture FROM ${source}`)
          return reader.getRowObjectsJS()
        })
      )
      expect(rows.length).toBe(expected.length)
      for (let row = 0; row < expected.length; row++) {
        const want = expected[row]!
        expect(rows[row], `row ${row}`).toEqual({
          src_ip: want["src_ip"],
          fwd_bytes: want["fwd_bytes"] === null ? null : BigInt(want["fwd_bytes"] as number),
          splt_len: want["splt_len"],
          tls_sni: want["tls_sni"],
          dataset: "lab",
          capture: "trace-01.pcap"
        })
      }
    }))

  it.effect("strings of every length class come back byte for byte: inlined, through the reused view, longer than it", () =>
    Effect.gen(function* () {
      // lengths cross the inline limit (12 bytes) and the reused view (1,024 bytes); each row's text differs
      const lengths = [0, 1, 12, 13, 14, 40, 13, 1023, 1024, 1025, 40, 3000, 12, 777, 13]
      const rows = CHUNK_ROWS + lengths.length
      const builder = FlowBatchBuilder.forColumns(["tls_sni"], rows)
      const want: Array<string | null> = []
      for (let row = 0; row < rows; row++) {
        const length = row < lengths.length ? lengths[row]! : row % 50
        const text = row % 97 === 5 ? null : Array.from({ length }, (_, k) => String.fromCharCode(97 + ((row + k) % 26))).join("")
        builder.setValue("tls_sni", row, text)
        want.push(text)
      }
      const batch = builder.finish(rows)
      const got = yield* withConnection((connection, scans) =>
        scans.lend(columnsOf(batch), batch.numRows, async (source) => {
          const reader = await connection.runAndReadAll(`SELECT tls_sni FROM ${source}`)
          return reader.getRowObjectsJS().map((row) => row["tls_sni"])
        })
      )
      expect(got).toEqual(want)
    }))

  it.effect("a text the same in every row of a chunk reads back as it is; a chunk that varies or holds a null is read row by row", () =>
    Effect.gen(function* () {
      const rows = 3 * CHUNK_ROWS + 5
      const builder = FlowBatchBuilder.forColumns(["tls_sni", "app_proto"], rows)
      const want: Array<{ tls_sni: string | null; app_proto: string | null }> = []
      for (let row = 0; row < rows; row++) {
        const chunk = Math.floor(row / CHUNK_ROWS)
        // chunk 0: one long text; 1: one text but its last row differs; 2: one text and a null; 3: one short text
        const sni = chunk === 1 && row === 2 * CHUNK_ROWS - 1 ? "other.example.org" : chunk === 2 && row === 2 * CHUNK_ROWS + 7 ? null : "pool.example.org"
        const proto = chunk === 3 ? "tls" : row % 2 === 0 ? "stratum" : "jsonrpc"
        builder.setValue("tls_sni", row, sni)
        builder.setValue("app_proto", row, proto)
        want.push({ tls_sni: sni, app_proto: proto })
      }
      const batch = builder.finish(rows)
      const got = yield* withConnection((connection, scans) =>
        scans.lend(columnsOf(batch), batch.numRows, async (source) => (await connection.runAndReadAll(`SELECT tls_sni, app_proto FROM ${source}`)).getRowObjectsJS())
      )
      expect(got).toEqual(want)
    }))

  it.effect("a batch given back (or never lent) is an error naming the id, not an empty table", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(10, 3)
      const outcome = yield* withConnection(async (connection, scans) => {
        const source = await scans.lend(columnsOf(batch), batch.numRows, async (lent) => lent)
        return connection.run(`SELECT count(*) FROM ${source}`).then(
          () => "read",
          (error: unknown) => String(error)
        )
      })
      expect(outcome).toMatch(/hh_batch\(1\): no batch is lent under this id/)
    }))

  it.effect("two batches lent at once are read apart by two queries in flight together, on connections made after registering", () =>
    Effect.gen(function* () {
      const a = sampleBatch(3000, 1)
      const b = sampleBatch(50, 2)
      const counts = yield* withConnection((_, scans, instance) =>
        Promise.all(
          [a, b].map((batch) =>
            scans.lend(columnsOf(batch), batch.numRows, async (source) => {
              const own = await instance.connect()
              try {
                const reader = await own.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT flow_id)::INTEGER AS ids FROM ${source}`)
                return reader.getRowObjectsJS()[0]
              } finally {
                own.closeSync()
              }
            })
          )
        )
      )
      expect(counts).toEqual([
        { n: 3000, ids: 3000 },
        { n: 50, ids: 50 }
      ])
    }))
})
