/**
 * Read a generated capture back through the flow meter (the same path as real captures) and
 * join its flows with the labels file: prints flows per label, flows no label row covers, and
 * label rows no flow matched.
 *
 *   npx tsx plugins/source-synthetic/scripts/check-labels.ts CAPTURE.pcap [LABELS.csv]
 */
import { readNumeric, readStrings } from "@hashhound/core"
import { captureEvents } from "@hashhound/flowmeter"
import { Effect, Stream } from "effect"
import { readFileSync } from "node:fs"
import { LabelIndex } from "../src/generate/label-join.js"
import { parseLabels } from "../src/generate/labels.js"

const [capture, labelsPath] = process.argv.slice(2)
if (capture === undefined) {
  console.error("usage: check-labels.ts CAPTURE.pcap [LABELS.csv]")
  process.exit(2)
}
const labels = parseLabels(readFileSync(labelsPath ?? capture.replace(/\.pcap$/, ".labels.csv"), "utf8"))
const index = new LabelIndex(labels.rows)
const perLabel = new Map<string, number>()
const used = new Set<unknown>()
let flows = 0
let unmatched = 0
let findings = 0
await Effect.runPromise(
  Stream.runForEach(captureEvents(capture, { idleTimeoutS: 300 }), (event) =>
    Effect.sync(() => {
      if (event._tag === "Finding") {
        findings++
        return
      }
      const b = event.batch
      const src = readStrings(b, "src_ip")!
      const dst = readStrings(b, "dst_ip")!
      const sp = readNumeric(b, "src_port")!
      const dp = readNumeric(b, "dst_port")!
      const proto = readNumeric(b, "protocol")!
      const first = readNumeric(b, "first_seen_us")!
      const last = readNumeric(b, "last_seen_us")!
      for (let i = 0; i < b.numRows; i++) {
        flows++
        const row = index.find(proto[i]!, src[i]!, Number.isNaN(sp[i]!) ? 0 : sp[i]!, dst[i]!, Number.isNaN(dp[i]!) ? 0 : dp[i]!, first[i]!, last[i]!)
        if (row === undefined) {
          unmatched++
          if (unmatched <= 10) console.log(`unmatched flow ${proto[i]} ${src[i]}:${sp[i]} → ${dst[i]}:${dp[i]} ${first[i]}–${last[i]}`)
          continue
        }
        used.add(row)
        const key = `${row.label}:${row.behaviour}`
        perLabel.set(key, (perLabel.get(key) ?? 0) + 1)
      }
    })
  )
)
console.log(JSON.stringify({ flows, label_rows: labels.rows.length, unmatched_flows: unmatched, unused_label_rows: labels.rows.length - used.size, reader_findings: findings, bad_label_lines: labels.bad.length, per_label: Object.fromEntries([...perLabel].sort()) }, null, 2))
