/**
 * Ground-truth label files: one CSV row per generated flow, written next to the capture.
 *
 * Holds: the header, `LabelsWriter` (a buffered TruthSink over a file descriptor), and
 * `readLabels`/`parseLabels` for joining flows back to their labels.
 * Does not hold: the join itself (see `label-join.ts`).
 */
import { closeSync, openSync, writeSync } from "node:fs"
import type { FlowTruth, TruthSink } from "../sim/engine.js"

export const LABELS_HEADER = "src_ip,src_port,dst_ip,dst_port,protocol,first_seen_us,last_seen_us,label,behaviour,scenario"

export interface LabelRow {
  readonly srcIp: string
  readonly srcPort: number
  readonly dstIp: string
  readonly dstPort: number
  readonly protocol: number
  readonly firstSeenUs: number
  readonly lastSeenUs: number
  readonly label: string
  readonly behaviour: string
  readonly scenario: string
}

export class LabelsWriter implements TruthSink {
  private readonly fd: number
  private lines: Array<string> = []
  rows = 0

  constructor(
    path: string,
    private readonly scenario: string
  ) {
    this.fd = openSync(path, "w")
    this.lines.push(LABELS_HEADER)
  }

  write(truth: FlowTruth, baseUs: number): void {
    this.lines.push(
      `${truth.srcIp},${truth.srcPort},${truth.dstIp},${truth.dstPort},${truth.protocol},${baseUs + Math.floor(truth.firstUs)},${baseUs + Math.floor(truth.lastUs)},${truth.label},${truth.behaviour},${this.scenario}`
    )
    this.rows++
    if (this.lines.length >= 4096) this.flush()
  }

  flush(): void {
    if (this.lines.length === 0) return
    writeSync(this.fd, `${this.lines.join("\n")}\n`)
    this.lines = []
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }
}

/** Parse a labels file's text; malformed lines are returned by line number. */
export const parseLabels = (text: string): { rows: Array<LabelRow>; bad: Array<number> } => {
  const rows: Array<LabelRow> = []
  const bad: Array<number> = []
  const lines = text.split("\n")
  lines.forEach((line, index) => {
    if (index === 0 || line === "") return
    const f = line.split(",")
    if (f.length !== 10) {
      bad.push(index + 1)
      return
    }
    const num = (i: number): number => Number(f[i])
    const row: LabelRow = {
      srcIp: f[0]!,
      srcPort: num(1),
      dstIp: f[2]!,
      dstPort: num(3),
      protocol: num(4),
      firstSeenUs: num(5),
      lastSeenUs: num(6),
      label: f[7]!,
      behaviour: f[8]!,
      scenario: f[9]!
    }
    if ([row.srcPort, row.dstPort, row.protocol, row.firstSeenUs, row.lastSeenUs].some((n) => !Number.isFinite(n))) bad.push(index + 1)
    else rows.push(row)
  })
  return { rows, bad }
}
