/**
 * Pipeline YAML texts shared by the config tests (they name the fake plugins of fake-plugins.ts).
 */

/** Two datasets, every slot used, string ids and mappings mixed. */
export const VALID = `# two datasets, every slot used
name: lab-vs-campus
output: runs/lab-vs-campus
datasets:
  lab:
    source: { type: source.fake-files, paths: ["captures/lab/*.pcap"], idle_timeout_s: 120 }
    labels:
      - { type: labeler.fake-ioc, lists: ["iocs/pools.csv"] }
      - labeler.fake-default
  campus:
    source:
      type: source.fake-files
      paths: [captures/campus]
qc:
  - { type: qc.fake-volume, fail: { zero_payload_share_above: 0.9 } }
features: [features.fake-volume, { type: features.fake-temporal, window_s: 30 }]
models:
  - { type: model.fake-gbdt, trees: 300, max_depth: 6 }
reports: [report.fake-html]
evaluation:
  train: [lab]
  test: [campus]
options:
  dataset_concurrency: 1
`
