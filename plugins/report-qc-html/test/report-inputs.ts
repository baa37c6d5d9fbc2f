/**
 * Run artefacts for the report's tests: a labelled dataset with per-batch findings files, a
 * dataset.json as the pipeline writes it and a flow summary; and a hostile variant whose traffic
 * strings (SNI, Host, DNS name, capture names, labels' details, finding messages) try to inject
 * markup. With features, also the pipeline's feature artefacts (qc/features.json,
 * qc/feature-sample.json) of `lab` and of a second dataset `export`, a flow export without early
 * packets (no `splt_len` column) and without `tcp_flags` values; in the hostile variant a feature
 * group, a feature, its unit and a sampled label try to inject markup too.
 */
import { Finding, summarizeFlows, type RunArtifacts } from "@hashhound/core"
import { batchFromRows, type Row } from "@hashhound/testkit"

export const HOSTILE = {
  sni: "<script>alert(1)</script>",
  host: `evil.example" onmouseover="alert(2)`,
  qname: `'><img src=x onerror=alert(3)>.example`,
  capture: `cap&<b>"quoted"</b>'.pcap`,
  label: `&<>"' conflict: <iframe src=javascript:alert(4)>`,
  message: `<svg onload=alert(5)> & "quotes" 'too'`
}

const T = 1_709_287_200_000_000

const flow = (i: number, capture: string, over: Row = {}): Row => ({
  capture,
  src_ip: `10.0.${i >> 8}.${i & 255}`,
  dst_ip: "203.0.113.10",
  src_port: 40000 + (i % 20000),
  dst_port: [443, 443, 80, 53, 3333, 22][i % 6]!,
  protocol: i % 6 === 3 ? 17 : 6,
  first_seen_us: T + i * 2_000_000,
  last_seen_us: T + i * 2_000_000 + Math.round(Math.pow(10, (i % 9) - 3) * 1e6),
  duration_s: Math.pow(10, (i % 9) - 3),
  fwd_packets: 1 + (i % 40),
  bwd_packets: i % 7 === 0 ? 0 : 1 + (i % 30),
  fwd_bytes: 60 + ((i * 131) % 9000),
  bwd_bytes: i % 7 === 0 ? 0 : 120 + ((i * 977) % 90000),
  label: i % 6 === 4 ? "mining" : i % 5 === 0 ? "unknown" : "benign",
  label_detail: i % 50 === 0 ? "conflict: labeler.ioc=mining vs labeler.scenario=benign" : null,
  ...over
})

const f = (fields: ConstructorParameters<typeof Finding>[0]) => new Finding(fields)

export const HOSTILE_FEATURE = {
  group: `features.x"><script>alert(6)</script>`,
  name: `<img src=x onerror=alert(7)>`,
  unit: `"><b onclick=alert(8)>`,
  label: `<svg onload=alert(9)>`
}

interface FeatureDef {
  readonly name: string
  readonly unit: string
  readonly requires: ReadonlyArray<string>
  /** a value per row, null where the feature is null */
  readonly value: (row: number, mining: boolean) => number | null
}

const FEATURE_GROUPS = (hostile: boolean): ReadonlyArray<{ readonly group: string; readonly features: ReadonlyArray<FeatureDef> }> => [
  {
    group: "features.volume",
    features: [
      { name: "bytes_total", unit: "bytes", requires: ["fwd_bytes", "bwd_bytes"], value: (i, m) => (m ? 300 + (i % 50) : 2000 + ((i * 7919) % 900_000)) },
      { name: "mean_pkt_size", unit: "bytes", requires: ["fwd_bytes", "bwd_bytes", "fwd_packets", "bwd_packets"], value: (i, m) => (m ? 90 + (i % 20) : 200 + ((i * 31) % 1200)) }
    ]
  },
  {
    group: "features.direction",
    features: [{ name: "byte_asymmetry", unit: "ratio", requires: ["fwd_bytes", "bwd_bytes"], value: (i, m) => (m ? 0.1 - (i % 10) / 100 : -0.9 + ((i * 13) % 80) / 100) }]
  },
  {
    group: "features.temporal",
    features: [{ name: "burstiness", unit: "score", requires: ["iat_mean_s", "iat_std_s"], value: (i, m) => (i % 9 === 0 ? null : m ? -0.7 + (i % 10) / 100 : -0.2 + ((i * 17) % 90) / 100) }]
  },
  {
    group: "features.early",
    features: [{ name: "early_len_1", unit: "bytes", requires: ["splt_len"], value: (i, m) => (m ? 120 : i % 2 === 0 ? 517 : -1400) }]
  },
  {
    group: "features.tcp",
    features: [{ name: "syn_share", unit: "ratio", requires: ["tcp_flags"], value: (i) => (i % 3) / 10 }]
  },
  ...(hostile
    ? [{ group: HOSTILE_FEATURE.group, features: [{ name: HOSTILE_FEATURE.name, unit: HOSTILE_FEATURE.unit, requires: ["fwd_bytes"], value: (i: number) => i }] }]
    : [])
]

/**
 * qc/features.json and qc/feature-sample.json of a dataset with `flows` flows (every 5th mining,
 * `sampled` of them in the sample, mining last), without the flow columns in `missing` (stored:
 * false) and with `empty` columns null everywhere.
 */
export const featureArtefacts = (
  dataset: string,
  options: { readonly flows: number; readonly sampled: number; readonly missing?: ReadonlyArray<string>; readonly empty?: ReadonlyArray<string>; readonly hostile?: boolean }
): Record<string, unknown> => {
  const missing = new Set(options.missing ?? [])
  const empty = new Set(options.empty ?? [])
  const groups = FEATURE_GROUPS(options.hostile === true)
  const columns = [...new Set(groups.flatMap((g) => g.features.flatMap((d) => d.requires)))]
  const computable = (d: FeatureDef) => d.requires.every((c) => !missing.has(c) && !empty.has(c))
  const mining = Math.floor(options.flows / 5)
  const nonNull = (d: FeatureDef) => {
    if (!computable(d)) return 0
    let n = 0
    for (let i = 0; i < options.flows; i++) if (d.value(i, i % 5 === 0) !== null) n++
    return n
  }
  const labels: Array<string> = Array.from({ length: options.sampled }, (_, i) => (i >= options.sampled - Math.min(mining, 40) ? "mining" : i % 7 === 0 ? "unknown" : "benign"))
  if (options.hostile === true) labels[1] = HOSTILE_FEATURE.label
  const labelCounts: Record<string, number> = {}
  for (const label of labels) labelCounts[label] = (labelCounts[label] ?? 0) + 1
  return {
    [`datasets/${dataset}/qc/features.json`]: {
      format: "hashhound.feature-availability/1",
      dataset,
      key: "k",
      flows: options.flows,
      columns: Object.fromEntries(columns.map((c) => [c, { stored: !missing.has(c), allowed: true, non_null: missing.has(c) || empty.has(c) ? 0 : options.flows }])),
      groups: groups.map((g) => ({
        group: g.group,
        type: g.group,
        features: g.features.map((d) => ({
          name: d.name,
          unit: d.unit,
          dtype: "float64",
          requires: d.requires,
          non_null: nonNull(d),
          missing_columns: d.requires.filter((c) => missing.has(c)),
          empty_columns: d.requires.filter((c) => empty.has(c))
        }))
      }))
    },
    [`datasets/${dataset}/qc/feature-sample.json`]: {
      format: "hashhound.feature-sample/1",
      dataset,
      key: "k",
      flows: options.flows,
      max_rows: 2000,
      label_counts: labelCounts,
      rows: labels.length,
      labels,
      features: Object.fromEntries(
        groups.flatMap((g) => g.features).map((d) => [d.name, labels.map((label, i) => (computable(d) ? d.value(i, label === "mining") : null))])
      )
    }
  }
}

/** A labelled two-capture dataset `lab`, its batch files, dataset.json and flow summary. */
export const labArtifacts = (hostile = false, outputDir = "/nonexistent/hh-report-test", features = false): RunArtifacts => {
  const capA = hostile ? HOSTILE.capture : "xmrig-01.pcap"
  const rowsA = Array.from({ length: 400 }, (_, i) =>
    flow(i, capA, hostile && i < 40 ? { tls_sni: HOSTILE.sni, http_host: HOSTILE.host, dns_qname: HOSTILE.qname, label_detail: HOSTILE.label } : { tls_sni: i % 4 === 0 ? "pool.supportxmr.com" : null })
  )
  const rowsB = Array.from({ length: 250 }, (_, i) => flow(1000 + i, "office-01.pcap", { http_host: i % 9 === 0 ? "intranet.local" : null }))
  const summary = summarizeFlows([batchFromRows(rowsA), batchFromRows(rowsB)])
  const message = hostile ? HOSTILE.message : "zero-payload share 0.95"
  const batchFile = (unit: string, batch: number, rows: number, qc: ReadonlyArray<Finding>, source: ReadonlyArray<Finding> = []) => ({
    dataset: "lab",
    unit,
    unit_number: 0,
    batch,
    rows,
    source_findings: source,
    qc_findings: qc
  })
  const fail = f({
    source: "qc.volume",
    code: "threshold",
    severity: "fail",
    message: `qc.volume: ${message} above fail threshold zero_payload_share_above=0.9 (capture ${capA}, batch 1)`,
    capture: capA,
    batch: 1,
    metric: "zero_payload_share",
    value: 0.95,
    threshold: 0.9
  })
  const json: Record<string, unknown> = {
    "manifest.json": { name: "report-test" },
    "datasets/lab/qc/batch-00000-00000.json": batchFile(capA, 0, 200, [], [f({ source: "source.pcap", code: "corrupt_record", severity: "warn", message: "record length beyond file end", capture: capA, offset: 4096 })]),
    "datasets/lab/qc/batch-00000-00001.json": batchFile(capA, 1, 200, [fail]),
    "datasets/lab/qc/batch-00001-00000.json": batchFile("office-01.pcap", 0, 250, [
      f({ source: "qc.timestamps", code: "threshold", severity: "warn", message: "qc.timestamps: rows going backwards in time 3 above warn threshold backwards_rows_above=0 (capture office-01.pcap, batch 0)", capture: "office-01.pcap", batch: 0, metric: "backwards_rows", value: 3, threshold: 0 })
    ]),
    "datasets/lab/qc/labels-00000-00000.json": batchFile(capA, 0, 200, [
      f({ source: "qc.labels", code: "threshold", severity: "warn", message: `qc.labels: flows with conflicting labels 4 above warn threshold conflict_rows_above=0 (capture ${capA}, batch 0)`, capture: capA, batch: 0, metric: "conflict_rows", value: 4, threshold: 0, count: 4 })
    ]),
    "datasets/lab/qc/flow-summary.json": JSON.parse(JSON.stringify(summary)) as unknown,
    "datasets/lab/qc/dataset.json": {
      dataset: "lab",
      key: "k",
      status: "fail",
      totals: { info: 1, warn: 3, fail: 1 },
      by_source: { "qc.volume": { info: 1, warn: 0, fail: 1 } },
      failures: [{ check: "qc.volume", batch: 1, reason: fail.message }],
      finish_findings: [f({ source: "qc.volume", code: "metric", severity: "info", message: "qc.volume: flows 650 (dataset)", metric: "flows", value: 650, count: 650 })]
    }
  }
  if (!features) return { outputDir, datasets: ["lab"], json }
  return {
    outputDir,
    datasets: ["lab", "export"],
    json: {
      ...json,
      ...featureArtefacts("lab", { flows: 650, sampled: 400, hostile }),
      ...featureArtefacts("export", { flows: 1200, sampled: 300, missing: ["splt_len"], empty: ["tcp_flags"], hostile })
    }
  }
}
