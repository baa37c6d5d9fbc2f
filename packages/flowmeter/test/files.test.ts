import { it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { constants, gunzipSync, gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { spawn, spawnSync } from "node:child_process"
import { expandPaths, planFiles, readContentHead, readHead, textLines } from "../src/files.js"

const dir = mkdtempSync(join(tmpdir(), "hh-files-"))
writeFileSync(join(dir, "a.csv"), "h1,h2\r\n1,2\n3,4")
writeFileSync(join(dir, "b.csv.gz"), gzipSync(Buffer.from("x\ny\n")))

// damaged files live apart, out of the planFiles globs above
const damaged = mkdtempSync(join(dir, "damaged-"))

/** 2,000 numbered lines of varied text, gzip'd and cut to `keep` compressed bytes; and what zlib gives back from the cut. */
const LINES = Array.from({ length: 2000 }, (_, i) => `${i},${(i * 2654435761) % 1000003},${"x".repeat(i % 37)}`)
const cutGzip = (name: string, keep: number): { path: string; unpacked: Buffer } => {
  const packed = gzipSync(Buffer.from(LINES.join("\n") + "\n")).subarray(0, keep)
  const path = join(damaged, name)
  writeFileSync(path, packed)
  return { path, unpacked: gunzipSync(packed, { finishFlush: constants.Z_SYNC_FLUSH }) }
}
const cutEarly = cutGzip("cut-early.csv.gz", 2000)
const cutLater = cutGzip("cut-later.csv.gz", 9000)
// a gzip header and then bytes that are no deflate stream: zlib gives nothing back
writeFileSync(join(damaged, "bad.csv.gz"), Buffer.concat([gzipSync(Buffer.from("x")).subarray(0, 10), Buffer.from("garbage garbage garbage")]))

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

  it.effect("lists a file reached under several names once: a folder walked through a link back up, a link to a file", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "hh-links-"))
      mkdirSync(join(root, "sub"))
      writeFileSync(join(root, "sub", "a.pcap"), "a")
      writeFileSync(join(root, "b.pcap"), "b")
      symlinkSync("..", join(root, "sub", "up"))
      symlinkSync(join(root, "b.pcap"), join(root, "sub", "link-to-b.pcap"))
      symlinkSync(join(root, "nowhere"), join(root, "dangling.pcap"))
      expect(yield* expandPaths([root], root)).toEqual([join(root, "b.pcap"), join(root, "sub", "a.pcap")])
      expect(yield* expandPaths(["sub/link-to-b.pcap", "b.pcap"], root)).toEqual([join(root, "b.pcap")])
    }))

  it.effect("refuses a named pipe before opening it (opening one waits for a writer), and leaves it out of a folder", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "hh-fifo-"))
      writeFileSync(join(root, "a.pcap"), "a")
      // coreutils' mkfifo: a test that made no pipe would check nothing
      expect(spawnSync("mkfifo", [join(root, "live.pcap")]).status).toBe(0)
      const error = yield* Effect.flip(expandPaths(["live.pcap"], root))
      expect(error._tag).toBe("InputError")
      expect(error.message).toContain("live.pcap: not a regular file (a pipe, socket or device)")
      expect(yield* expandPaths([root], root)).toEqual([join(root, "a.pcap")])
      expect(yield* expandPaths(["*.pcap"], root)).toEqual([join(root, "a.pcap")])
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

  it.effect("a gzip stream cut short gives what came out before the cut as its head; one broken before any byte fails", () =>
    Effect.gen(function* () {
      expect(cutEarly.unpacked.length).toBeGreaterThan(1000)
      expect(cutEarly.unpacked.length).toBeLessThan(65_536)
      expect(Buffer.from(yield* readContentHead(cutEarly.path)).equals(cutEarly.unpacked)).toBe(true)
      expect(Buffer.from(yield* readContentHead(cutEarly.path, 100)).equals(cutEarly.unpacked.subarray(0, 100))).toBe(true)
      const error = yield* Effect.flip(readContentHead(join(damaged, "bad.csv.gz")))
      expect(error._tag).toBe("InputError")
      expect(error.reason).toMatch(/invalid|incorrect|unknown/i)
    }))

  it.effect("textLines over a cut gzip stream: every whole line before the cut, then the break where the cut line starts", () =>
    Effect.gen(function* () {
      for (const cut of [cutEarly, cutLater]) {
        const text = cut.unpacked.toString("latin1")
        const whole = text.slice(0, text.lastIndexOf("\n") + 1)
        const breaks: Array<[string, number, number]> = []
        const lines = Chunk.toReadonlyArray(
          yield* Stream.runCollect(textLines(cut.path, (broke, offset, dropped) => breaks.push([`${broke.code}: ${broke.text}`, offset, dropped])))
        )
        expect(lines.map((l) => l.text)).toEqual(LINES.slice(0, lines.length))
        expect(lines.length).toBe(whole.split("\n").length - 1)
        expect(lines.at(-1)!.offset + lines.at(-1)!.text.length + 1).toBe(whole.length)
        expect(breaks).toEqual([["truncated_file: gzip stream ends early: unexpected end of file", whole.length, text.length - whole.length]])
        // without a handler the break fails the stream, as a read error would
        const error = yield* Effect.flip(Stream.runDrain(textLines(cut.path)))
        expect(error._tag).toBe("InputError")
        expect(error.reason).toBe("unexpected end of file")
      }
    }))

  it.live.skipIf(!existsSync("/proc/self/fd"))("reading the head of a long gzip file closes it (the format check stops after 64 KB)", () =>
    Effect.gen(function* () {
      const long = gzipSync(Buffer.alloc(2 << 20, 0x41))
      const paths = Array.from({ length: 30 }, (_, i) => join(damaged, `long-${i}.txt.gz`))
      for (const path of paths) writeFileSync(path, long)
      const open = (): number => readdirSync("/proc/self/fd").length
      const before = open()
      for (const path of paths) expect((yield* readContentHead(path)).length).toBe(65_536)
      yield* Effect.sleep("50 millis")
      expect(open()).toBeLessThan(before + 10)
    }))

  it.live.skipIf(spawnSync("mkfifo", ["--version"]).status !== 0)("a pipe given as input is refused with what to do instead", () =>
    Effect.gen(function* () {
      const fifo = join(damaged, "stream.pcap")
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0)
      // a writer on the other end, as `<(zcat capture.gz)` has
      const writer = spawn("sh", ["-c", `printf 'some bytes' > '${fifo}'`])
      const error = yield* Effect.flip(readHead(fifo))
      writer.kill()
      expect(error._tag).toBe("InputError")
      expect(error.reason).toMatch(/^a pipe, not a file: .*save the stream to a file first/)
    }))
})
