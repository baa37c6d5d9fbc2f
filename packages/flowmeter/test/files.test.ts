import { it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtempSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { planFiles, readContentHead, textLines } from "../src/files.js"

const dir = mkdtempSync(join(tmpdir(), "hh-files-"))
writeFileSync(join(dir, "a.csv"), "h1,h2\r\n1,2\n3,4")
writeFileSync(join(dir, "b.csv.gz"), gzipSync(Buffer.from("x\ny\n")))

describe("files", () => {
  it.effect("plans globs into sorted units with content hashes", () =>
    Effect.gen(function* () {
      const units = yield* planFiles(["*.csv*"], dir)
      expect(units.map((u) => u.id)).toEqual(["a.csv", "b.csv.gz"])
      expect(units[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/)
      expect(units[0]!.sizeBytes).toBe(14)
    }))

  it.effect("plans with a stat fingerprint (size, mtime, inode) when asked, reading no content", () =>
    Effect.gen(function* () {
      const units = yield* planFiles(["*.csv*"], dir, "stat")
      const stat = statSync(join(dir, "a.csv"))
      expect(units[0]!.fingerprint).toBe(`stat:14:${stat.mtimeMs}:${stat.ino}`)
      expect(units.map((u) => u.id)).toEqual(["a.csv", "b.csv.gz"])
    }))

  it.effect("refuses a pattern that matches nothing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(planFiles(["*.pcap"], dir))
      expect(error._tag).toBe("InputError")
    }))

  it.effect("streams lines with numbers and byte offsets, CRLF and gzip included", () =>
    Effect.gen(function* () {
      const lines = Chunk.toReadonlyArray(yield* Stream.runCollect(textLines(join(dir, "a.csv"))))
      expect(lines).toEqual([
        { text: "h1,h2", line: 1, offset: 0 },
        { text: "1,2", line: 2, offset: 7 },
        { text: "3,4", line: 3, offset: 11 }
      ])
      const gz = Chunk.toReadonlyArray(yield* Stream.runCollect(textLines(join(dir, "b.csv.gz"))))
      expect(gz.map((l) => l.text)).toEqual(["x", "y"])
      const head = yield* readContentHead(join(dir, "b.csv.gz"))
      expect(Buffer.from(head).toString()).toBe("x\ny\n")
    }))
})
