/**
 * The same packets in another container give the same flows: real captures rewritten by
 * Wireshark's `editcap` as pcapng, as nanosecond pcap, as Kuznetsov's modified pcap (`modpcap`,
 * 24-byte record headers) and as classic pcap (from pcapng), and gzip-compressed, must meter to the same rows as the original, column for column, except
 * the columns that name the file (`capture`, and `flow_id`, which embeds it). This checks the
 * readers against an independent writer, on traffic none of them was built for.
 * Skips with a message when the fixtures or `editcap` (Debian: wireshark-common, which tshark
 * brings) are absent.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, hasCommand } from "@hashhound/testkit"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { gzipSync } from "node:zlib"
import { expect } from "vitest"
import { collectCapture, type FlowRow } from "./helpers/collect.js"
import { tempFile } from "./helpers/temp-files.js"

/** Columns that name the file the flow came from. */
const NAMING = new Set(["capture", "flow_id"])

const withoutNaming = (rows: ReadonlyArray<FlowRow>): Array<Record<string, unknown>> =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !NAMING.has(key))))

/** `editcap -F <format>` of `path` into a temporary file. */
const rewritten = (path: string, format: string): string => {
  const out = tempFile(new Uint8Array(0), `${basename(path)}.${format}`)
  execFileSync("editcap", ["-F", format, path, out], { stdio: ["ignore", "ignore", "pipe"] })
  return out
}

const CASES: ReadonlyArray<{ readonly input: string; readonly formats: ReadonlyArray<string> }> = [
  { input: "mining/peafowl-stratum.pcap", formats: ["pcapng", "nsecpcap", "modpcap"] },
  { input: "normal/ndpi-443-firefox.pcap", formats: ["pcapng", "nsecpcap", "modpcap"] },
  { input: "normal/slips-test7-malicious.pcap", formats: ["pcapng", "nsecpcap"] },
  { input: "mining/nesfit-eth-eu1.nanopool.org.pcapng", formats: ["pcap", "nsecpcap"] }
]

describeFixtures("the same packets in another container", () => {
  const editcap = hasCommand("editcap")
  for (const { input, formats } of CASES) {
    it.effect.skipIf(!editcap)(
      `${input}: ${formats.join(", ")} and gzip give the same flows${editcap ? "" : " [skipped: editcap is not installed (Debian: tshark brings it)]"}`,
      () =>
        Effect.gen(function* () {
          const original = yield* collectCapture(fixture(input))
          expect(original.flows.length).toBeGreaterThan(0)
          const expected = withoutNaming(original.flows)
          const variants = [
            ...formats.map((format) => ({ name: format, path: rewritten(fixture(input), format) })),
            { name: "gzip", path: tempFile(gzipSync(readFileSync(fixture(input))), `${basename(input)}.gz`) }
          ]
          for (const variant of variants) {
            const { flows, findings } = yield* collectCapture(variant.path)
            expect(withoutNaming(flows), `${input} as ${variant.name}`).toEqual(expected)
            expect(findings.map((f) => f.code), `${input} as ${variant.name}`).toEqual(original.findings.map((f) => f.code))
          }
        })
    )
  }
})
