/**
 * A byte range of one open file copied into another, in large reads through one buffer: how an
 * export joins its parts (Parquet data pages, CSV and JSONL lines) without decoding them.
 *
 * Holds: `COPY_BYTES` (the buffer size the joins use) and `copyRange`.
 * Does not hold: which ranges to copy (see `parquet-concat.ts`, `text-parts.ts`).
 */
import type { FileHandle } from "node:fs/promises"

export const COPY_BYTES = 4 << 20

/**
 * Copy `input[from, to)` (to its end when `to` is undefined) to `out` at `position`, through
 * `buffer`. Answers the bytes copied: fewer than asked when the input ends first.
 */
export const copyRange = async (
  input: FileHandle,
  from: number,
  to: number | undefined,
  out: FileHandle,
  position: number,
  buffer: Buffer
): Promise<number> => {
  let at = from
  while (to === undefined || at < to) {
    const want = to === undefined ? buffer.length : Math.min(buffer.length, to - at)
    const { bytesRead } = await input.read(buffer, 0, want, at)
    if (bytesRead === 0) break
    await out.write(buffer, 0, bytesRead, position + (at - from))
    at += bytesRead
  }
  return at - from
}
