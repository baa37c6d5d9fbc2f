/**
 * Test support: write generated captures into a temporary folder (never into the repository).
 *
 * Holds: `tempFile`.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = mkdtempSync(join(tmpdir(), "hh-flowmeter-"))
let n = 0

export const tempFile = (bytes: Uint8Array, name = "capture.pcap"): string => {
  const path = join(dir, `${n++}-${name}`)
  writeFileSync(path, bytes)
  return path
}
