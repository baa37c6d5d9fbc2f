/**
 * Turns measurements into the benchmark's tables and target verdicts.
 *
 * Holds: `ToolResult` (one tool on one capture: median wall time of the runs, peak RSS, CPU),
 * `formatTable` (fixed-width text table), `captureTable` (tool, packets/s by wall and by CPU,
 * peak RSS, hashhound's speed ratio to each tool) and `evaluateTargets` (the three targets as
 * pass / fail / not measured).
 * Does not hold: running anything.
 */

export interface ToolResult {
  readonly tool: string
  readonly version: string
  /** "not installed", or why the tool failed; undefined when it ran */
  readonly unavailable?: string
  readonly wallS?: number
  readonly cpuS?: number
  readonly peakRssMb?: number
  readonly flows?: number
  readonly runs?: ReadonlyArray<number>
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A number with thousands separators and `digits` decimals. */
export const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value)
    ? "–"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** Left-aligned first column, right-aligned others, a rule under the header. */
export const formatTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

const perSecond = (count: number, seconds: number | undefined): number | undefined =>
  seconds === undefined || seconds <= 0 ? undefined : count / seconds

/** The per-capture table. `hashhound` must be the id of hashhound's row. */
export const captureTable = (packets: number, results: ReadonlyArray<ToolResult>, hashhound: string): string => {
  const own = results.find((r) => r.tool === hashhound)
  const ownRate = perSecond(packets, own?.wallS)
  const ownCpuRate = perSecond(packets, own?.cpuS)
  const rows = results.map((r) => {
    if (r.unavailable !== undefined) return [r.tool, r.unavailable, "", "", "", "", "", ""]
    const rate = perSecond(packets, r.wallS)
    const cpuRate = perSecond(packets, r.cpuS)
    const ratio = ownRate === undefined || rate === undefined ? undefined : ownRate / rate
    const cpuRatio = ownCpuRate === undefined || cpuRate === undefined ? undefined : ownCpuRate / cpuRate
    return [
      r.tool,
      fmt(r.wallS, 2),
      fmt(rate),
      fmt(cpuRate),
      fmt(r.peakRssMb, 1),
      fmt(r.flows),
      r.tool === hashhound ? "1.00" : fmt(ratio, 2),
      r.tool === hashhound ? "1.00" : fmt(cpuRatio, 2)
    ]
  })
  return formatTable(["tool", "wall s", "packets/s", "packets/CPU-s", "peak RSS MB", "flows", "hh/tool (wall)", "hh/tool (CPU)"], rows)
}

export type Verdict = "pass" | "fail" | "not measured"

export interface TargetVerdict {
  readonly target: string
  readonly verdict: Verdict
  readonly detail: string
}

const rateOf = (packets: number, results: ReadonlyArray<ToolResult>, tool: string): number | undefined => {
  const r = results.find((x) => x.tool === tool)
  return r === undefined || r.unavailable !== undefined ? undefined : perSecond(packets, r.wallS)
}

/**
 * The targets on one capture: hashhound ≥ ndpiReader packets/s, ≥ 10× tshark packets/s, and
 * (only when `memoryTarget` is set, i.e. on the 2 GB capture) peak RSS ≤ 200 MB.
 */
export const evaluateTargets = (
  packets: number,
  results: ReadonlyArray<ToolResult>,
  hashhound: string,
  memoryTarget: boolean
): ReadonlyArray<TargetVerdict> => {
  const own = rateOf(packets, results, hashhound)
  const versus = (tool: string, factor: number, target: string): TargetVerdict => {
    const other = rateOf(packets, results, tool)
    if (own === undefined || other === undefined) return { target, verdict: "not measured", detail: `${tool} or hashhound did not run` }
    const ratio = own / other
    return {
      target,
      verdict: ratio >= factor ? "pass" : "fail",
      detail: `hashhound ${fmt(own)} pkt/s vs ${tool} ${fmt(other)} pkt/s = ${fmt(ratio, 2)}×`
    }
  }
  const verdicts = [
    versus("ndpiReader", 1, "hashhound packets/s ≥ ndpiReader"),
    versus("tshark", 10, "hashhound packets/s ≥ 10× tshark")
  ]
  const rss = results.find((r) => r.tool === hashhound)?.peakRssMb
  verdicts.push(
    !memoryTarget
      ? { target: "peak RSS ≤ 200 MB on a 2 GB capture", verdict: "not measured", detail: "run with --size-gb 2" }
      : rss === undefined
        ? { target: "peak RSS ≤ 200 MB on a 2 GB capture", verdict: "not measured", detail: "no RSS measured" }
        : {
            target: "peak RSS ≤ 200 MB on a 2 GB capture",
            verdict: rss <= 200 ? "pass" : "fail",
            detail: `hashhound peak RSS ${fmt(rss, 1)} MB`
          }
  )
  return verdicts
}
