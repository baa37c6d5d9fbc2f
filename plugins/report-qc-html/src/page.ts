/**
 * The QC report page of one dataset: one self-contained HTML file (inline CSS and SVG, no
 * script, no external URL, a Content-Security-Policy that forbids both).
 *
 * Holds: `renderPage` (inputs → HTML text): the header with the dataset's QC status, overview
 * figures, the failing findings, the charts (duration, bytes and packets histograms on log
 * axes, protocol and port mix, findings per check), captures, labels (coverage per capture,
 * class balance, conflicts; deciding labelers and conflict pairs from the label report) when
 * there are labels, features (availability across the run's datasets and a scatter matrix, see
 * `features-section.ts`) when the run computed features, top app hints, the findings table and
 * notes about unreadable artefacts. Every value that comes from traffic or artefacts is escaped.
 * Does not hold: reading artefacts (`inputs.ts`), the chart specs (`charts.ts`).
 */
import { worstSeverity, type CaptureLabels, type Finding, type FlowSummary, type LabelReport } from "@hashhound/core"
import { Effect } from "effect"
import { barSpec, chartFigure, findingsSpec, histogramSpec, labelSpec } from "./charts.js"
import { html, raw, type Html } from "@hashhound/core"
import { featuresSection, type DatasetAvailability, type FeatureOptions } from "./features-section.js"
import type { DatasetInputs } from "./inputs.js"
import { CSS } from "./style.js"

export interface PageOptions extends FeatureOptions {
  readonly title: string
  readonly maxFindings: number
  readonly topPorts: number
  readonly includeInfo: boolean
}

/** What a page shows of the other datasets of the run: their feature availability. */
export interface RunDatasets {
  /** the run's datasets, in order */
  readonly datasets: ReadonlyArray<string>
  /** those with a `qc/features.json`, in the same order */
  readonly availability: ReadonlyArray<DatasetAvailability>
}

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: "ICMP", 2: "IGMP", 6: "TCP", 17: "UDP", 47: "GRE", 50: "ESP", 58: "ICMPv6", 132: "SCTP" }

const protocolName = (protocol: number | null): string =>
  protocol === null ? "none" : PROTOCOL_NAMES[protocol] === undefined ? `proto ${protocol}` : `${PROTOCOL_NAMES[protocol]} (${protocol})`

const count = (n: number): string => n.toLocaleString("en-US")

const isoOf = (us: number | null): string => {
  if (us === null) return "–"
  const ms = Math.floor(us / 1000)
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString().replace(".000Z", "Z") : `${us} µs`
}

const share = (part: number, whole: number): string => (whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)} %`)

const SEVERITY_ORDER = { fail: 0, warn: 1, info: 2 } as const

const badge = (severity: string): Html => html`<span class="badge ${severity === "fail" || severity === "warn" || severity === "pass" ? severity : "info"}">${severity}</span>`

const numberText = (value: number | undefined): string =>
  value === undefined ? "" : Number.isInteger(value) ? count(value) : Math.abs(value) >= 1000 ? value.toFixed(1) : String(Number(value.toPrecision(4)))

const findingRow = (f: Finding): Html => html`<tr class="${f.severity}">
<td>${badge(f.severity)}</td><td>${f.source}</td><td>${f.code}</td><td class="wrap">${f.capture ?? ""}</td><td class="num">${f.batch ?? ""}</td>
<td>${f.metric ?? ""}</td><td class="num">${numberText(f.value)}</td><td class="num">${numberText(f.threshold)}</td><td class="num">${f.count === undefined ? "" : count(f.count)}</td><td class="wrap msg">${f.message}</td></tr>`

const findingsTable = (findings: ReadonlyArray<Finding>, options: PageOptions): Html => {
  const shown = findings.filter((f) => options.includeInfo || f.severity !== "info")
  const sorted = [...shown].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.source.localeCompare(b.source) || (a.batch ?? -1) - (b.batch ?? -1))
  const rows = sorted.slice(0, options.maxFindings)
  const hidden = sorted.length - rows.length
  return html`<section id="findings"><h2>Findings <span class="muted">(${count(findings.length)})</span></h2>
${rows.length === 0 ? html`<p class="muted">No findings.</p>` : html`<div class="scroll"><table class="findings"><thead><tr><th>severity</th><th>check</th><th>code</th><th>capture</th><th>batch</th><th>metric</th><th>value</th><th>threshold</th><th>count</th><th>message</th></tr></thead>
<tbody>${rows.map(findingRow)}</tbody></table></div>`}
${hidden > 0 ? html`<p class="muted">${count(hidden)} more findings not shown (max_findings ${options.maxFindings}).</p>` : ""}
</section>`
}

const figures = (inputs: DatasetInputs, findings: ReadonlyArray<Finding>): Html => {
  const summary = inputs.summary
  const bySeverity = (s: string) => findings.filter((f) => f.severity === s).length
  const cards: ReadonlyArray<readonly [string, string]> = [
    ["flows", summary === undefined ? (inputs.batchRows > 0 ? count(inputs.batchRows) : "–") : count(summary.flows)],
    ["captures", summary === undefined ? "–" : count(summary.captures.length)],
    ["batches", inputs.batchFiles === 0 ? "–" : count(inputs.batchFiles)],
    ["fail", count(inputs.qc?.totals?.fail ?? bySeverity("fail"))],
    ["warn", count(inputs.qc?.totals?.warn ?? bySeverity("warn"))],
    ["info", count(inputs.qc?.totals?.info ?? bySeverity("info"))]
  ]
  return html`<section class="cards">${cards.map(([name, value]) => html`<div class="card ${name}"><div class="value">${value}</div><div class="name">${name}</div></div>`)}</section>`
}

const failures = (inputs: DatasetInputs, findings: ReadonlyArray<Finding>): Html => {
  const listed = inputs.qc?.failures?.map((f) => html`<li><b>${f.check}</b>${f.batch === undefined ? "" : html` <span class="muted">batch ${f.batch}</span>`}: ${f.reason}</li>`) ??
    findings.filter((f) => f.severity === "fail").map((f) => html`<li><b>${f.source}</b>: ${f.message}</li>`)
  return listed.length === 0 ? html`` : html`<section class="failures"><h2>Why QC failed</h2><ul>${listed}</ul></section>`
}

const capturesTable = (summary: FlowSummary): Html => html`<section id="captures"><h2>Captures</h2><div class="scroll"><table><thead><tr><th>capture</th><th>flows</th><th>first seen (UTC)</th><th>last seen (UTC)</th></tr></thead>
<tbody>${summary.captures.map((c) => html`<tr><td class="wrap">${c.capture}</td><td class="num">${count(c.flows)}</td><td>${isoOf(c.first_seen_us)}</td><td>${isoOf(c.last_seen_us)}</td></tr>`)}</tbody></table></div></section>`

const labelTotals = (labels: ReadonlyArray<CaptureLabels>): CaptureLabels =>
  labels.reduce(
    (t, l) => ({ capture: "all", flows: t.flows + l.flows, mining: t.mining + l.mining, benign: t.benign + l.benign, unknown: t.unknown + l.unknown, other: t.other + l.other, conflicts: t.conflicts + l.conflicts }),
    { capture: "all", flows: 0, mining: 0, benign: 0, unknown: 0, other: 0, conflicts: 0 }
  )

const labelRow = (l: CaptureLabels, total = false): Html => html`<tr class="${total ? "total" : ""}"><td class="wrap">${l.capture}</td><td class="num">${count(l.flows)}</td><td class="num">${share(l.mining + l.benign, l.flows)}</td>
<td class="num">${count(l.mining)}</td><td class="num">${count(l.benign)}</td><td class="num">${count(l.unknown)}</td><td class="num">${count(l.other)}</td><td class="num">${count(l.conflicts)}</td></tr>`

/** Per-capture label rows from the pipeline's label report, for runs whose flow summary has none. */
const capturesFromReport = (report: LabelReport): ReadonlyArray<CaptureLabels> =>
  Object.entries(report.captures).map(([capture, c]) => ({ capture, flows: c.flows, mining: c.mining, benign: c.benign, unknown: c.unknown, other: 0, conflicts: c.conflicts }))

const countTable = (title: string, head: string, counts: Readonly<Record<string, number>>): Html => {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return rows.length === 0
    ? html``
    : html`<div><h3>${title}</h3><table class="hints"><thead><tr><th>${head}</th><th>flows</th></tr></thead><tbody>${rows.map(([name, n]) => html`<tr><td class="wrap">${name}</td><td class="num">${count(n)}</td></tr>`)}</tbody></table></div>`
}

/** What only the label report knows: who decided, which labelers disagreed, explicit unknowns. */
const labelReportPart = (report: LabelReport | undefined): Html =>
  report === undefined
    ? html``
    : html`<p class="muted">${count(report.explicit_unknown)} flows a labeler called unknown with nobody definite${report.duplicates_counted ? html`; ${count(report.duplicates)} flows repeat an earlier flow` : ""}.</p>
<div class="columns">${countTable("Decided by", "labeler", report.by_source)}${countTable("Conflicts", "labelers (winner vs other)", report.conflict_pairs)}</div>`

const labelsSection = (labels: ReadonlyArray<CaptureLabels>, labelFindings: ReadonlyArray<Finding>, report?: LabelReport): Effect.Effect<Html> =>
  Effect.map(labels.length === 0 ? Effect.succeed(html``) : chartFigure(labelSpec(labels), "labels per capture"), (svg) => {
    const total = labelTotals(labels)
    const labelled = total.mining + total.benign
    const minority = labelled === 0 ? "–" : share(Math.min(total.mining, total.benign), labelled)
    return html`<section id="labels"><h2>Labels</h2>
<p>Coverage ${share(labelled, total.flows)} (${count(labelled)} of ${count(total.flows)} flows labelled mining or benign); class balance ${count(total.mining)} mining : ${count(total.benign)} benign (minority ${minority}); ${count(total.conflicts)} flows with labeler conflicts.</p>
<div class="charts">${svg}</div>
<div class="scroll"><table><thead><tr><th>capture</th><th>flows</th><th>coverage</th><th>mining</th><th>benign</th><th>unknown</th><th>other</th><th>conflicts</th></tr></thead>
<tbody>${labels.map((l) => labelRow(l))}${labels.length > 1 ? labelRow(total, true) : ""}</tbody></table></div>
${labelReportPart(report)}
${labelFindings.length === 0 ? "" : html`<ul class="compact">${labelFindings.map((f) => html`<li>${badge(f.severity)} ${f.message}</li>`)}</ul>`}
</section>`
  })

const hintTable = (title: string, rows: ReadonlyArray<{ readonly value: string; readonly flows: number }>): Html =>
  rows.length === 0
    ? html``
    : html`<div><h3>${title}</h3><table class="hints"><thead><tr><th>value</th><th>flows</th></tr></thead><tbody>${rows.map((r) => html`<tr><td class="wrap">${r.value}</td><td class="num">${count(r.flows)}</td></tr>`)}</tbody></table></div>`

const hintsSection = (summary: FlowSummary): Html => {
  const { tls_sni, http_host, dns_qname } = summary.app_hints
  if (tls_sni.length + http_host.length + dns_qname.length === 0) return html``
  return html`<section id="hints"><h2>Application hints</h2><p class="muted">Most common values seen in traffic.</p><div class="columns">${hintTable("TLS server name (SNI)", tls_sni)}${hintTable("HTTP Host", http_host)}${hintTable("DNS query name", dns_qname)}</div></section>`
}

const flowCharts = (summary: FlowSummary, findingCounts: ReadonlyArray<{ check: string; severity: "fail" | "warn" | "info"; count: number }>, options: PageOptions) =>
  Effect.all(
    [
      chartFigure(histogramSpec(summary.histograms.duration_s, "Flow duration", "duration (s)", "#1a73e8"), "histogram of flow durations"),
      chartFigure(histogramSpec(summary.histograms.bytes, "Bytes per flow", "bytes (both directions)", "#9334e6"), "histogram of bytes per flow"),
      chartFigure(histogramSpec(summary.histograms.packets, "Packets per flow", "packets (both directions)", "#e37400"), "histogram of packets per flow"),
      chartFigure(barSpec(summary.protocols.map((p) => ({ name: protocolName(p.protocol), flows: p.flows })), "Protocol mix", "#12b5cb"), "flows per protocol"),
      chartFigure(
        barSpec(
          [
            ...summary.dst_ports.slice(0, options.topPorts).map((p) => ({ name: String(p.port), flows: p.flows })),
            ...(summary.dst_ports_other > 0 ? [{ name: "other", flows: summary.dst_ports_other }] : []),
            ...(summary.dst_ports_none > 0 ? [{ name: "no port", flows: summary.dst_ports_none }] : [])
          ],
          "Destination ports",
          "#188038",
          `top ${Math.min(options.topPorts, summary.dst_ports.length)}`
        ),
        "flows per destination port"
      ),
      ...(findingCounts.length === 0 ? [] : [chartFigure(findingsSpec(findingCounts), "findings per check and severity")])
    ],
    { concurrency: 1 }
  )

const findingCountsOf = (findings: ReadonlyArray<Finding>) => {
  const counts = new Map<string, number>()
  for (const f of findings) counts.set(`${f.source}\u0000${f.severity}`, (counts.get(`${f.source}\u0000${f.severity}`) ?? 0) + 1)
  return [...counts].map(([key, n]) => {
    const [check, severity] = key.split("\u0000") as [string, "fail" | "warn" | "info"]
    return { check, severity, count: n }
  })
}

/** The whole page of one dataset. */
export const renderPage = (
  inputs: DatasetInputs,
  options: PageOptions,
  run: RunDatasets = { datasets: [inputs.name], availability: inputs.features === undefined ? [] : [{ dataset: inputs.name, availability: inputs.features }] }
): Effect.Effect<string> =>
  Effect.gen(function* () {
    const findings = [...inputs.sourceFindings, ...inputs.batchFindings, ...(inputs.qc?.finish_findings ?? [])]
    const worst = worstSeverity(findings)
    const status = inputs.qc?.status ?? (findings.length === 0 && inputs.qc === undefined ? "no QC results" : worst === "info" ? "pass" : worst)
    const summary = inputs.summary
    const counts = findingCountsOf(findings)
    const charts = summary === undefined ? (counts.length === 0 ? [] : [yield* chartFigure(findingsSpec(counts), "findings per check and severity")]) : yield* flowCharts(summary, counts, options)
    const labelFindings = findings.filter((f) => f.source === "qc.labels" && f.severity !== "info")
    const labels = summary?.labels ?? (inputs.labels === undefined ? null : capturesFromReport(inputs.labels))
    const labelHtml =
      labels !== null ? yield* labelsSection(labels, labelFindings, inputs.labels) : labelFindings.length > 0 ? yield* labelsSection([], labelFindings) : html``
    const featureHtml = yield* featuresSection(inputs, run.availability, run.datasets, options)
    const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}: ${inputs.name}</title>
<style>${raw(CSS)}</style></head>
<body><main>
<header><h1>${options.title}</h1><p class="dataset">dataset <b>${inputs.name}</b> ${badge(status)}</p></header>
${figures(inputs, findings)}
${failures(inputs, findings)}
<section id="charts"><h2>Flows</h2>${summary === undefined ? html`<p class="muted">No flow summary in the run artefacts (${`datasets/${inputs.name}/qc/flow-summary.json`}); flow charts are left out.</p>` : ""}<div class="charts">${charts}</div></section>
${summary === undefined ? "" : capturesTable(summary)}
${labelHtml}
${featureHtml}
${summary === undefined ? "" : hintsSection(summary)}
${findingsTable(findings, options)}
${inputs.notes.length === 0 ? "" : html`<section id="notes"><h2>Artefacts not used</h2><ul>${inputs.notes.map((note) => html`<li>${note}</li>`)}</ul></section>`}
<footer class="muted">Made by report.qc-html from the run's QC artefacts. Works offline: no scripts, no external resources.</footer>
</main></body></html>
`
    return page.text
  })
