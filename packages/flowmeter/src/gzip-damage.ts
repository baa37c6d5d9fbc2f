/**
 * A gzip stream that breaks partway: what came out before the break is good data, and the
 * break itself is a finding, not a failed run.
 *
 * Holds: `gzipBreak` (the finding code and text for zlib's message: `truncated_file` when the
 * stream ends early, `corrupt_record` when its data is damaged), shared by the capture reader
 * (`session.ts`) and the text readers (`files.ts`), and `GzipDamage`, the error `rawChunks`
 * fails with when zlib, not the file read, broke.
 * Does not hold: reading or decompressing (`files.ts`, `capture/byte-window.ts`).
 */
import { Schema } from "effect"

export interface GzipBreak {
  readonly code: "truncated_file" | "corrupt_record"
  readonly text: string
}

/** The finding for a gzip stream that zlib stopped with `message`. */
export const gzipBreak = (message: string): GzipBreak => {
  const cut = /unexpected end/i.test(message)
  return { code: cut ? "truncated_file" : "corrupt_record", text: `gzip stream ${cut ? "ends early" : "is damaged"}: ${message}` }
}

/** zlib stopped decompressing `path` with `reason` (the file itself was read). */
export class GzipDamage extends Schema.TaggedError<GzipDamage>()("GzipDamage", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.path}: ${gzipBreak(this.reason).text}`
  }
}
