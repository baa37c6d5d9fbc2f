/**
 * `hashhound score` end to end through the real binary: a model trained by a small pipeline run
 * (generated lab traffic, 5 simulated minutes), then alerts for a generated production capture
 * (JSONL shape, order, threshold, attribution; CSV), streaming (the same alerts, scores and top
 * features, batch by batch, when the input is cut into many small batches), for real third-party
 * captures (the pool sessions of the stratum capture are among the alerts at a permissive
 * threshold), and the errors a user can make (a folder without a card, a target FPR the card does
 * not have, a batch size out of range).
 */
import { describeFixtures, fixture, projectFixture } from "@hashhound/testkit"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hashhound } from "./cli-support.js"

const dir = mkdtempSync(join(tmpdir(), "hh-score-"))
const modelDir = join(dir, "run", "models", "model.gbdt")

const PIPELINE = `name: score-test
output: run
datasets:
  lab:
    source: { type: source.synthetic, scenario: lab, duration_s: 300, seed: 3, active_timeout_s: 60 }
    labels:
      - type: labeler.dataset
        patterns: [{ match: "^mining:", label: mining }, { match: "^benign:", label: benign }]
features: [features.volume, features.direction, features.ports, features.temporal, features.tcp, features.early]
models:
  - { type: model.gbdt, trees: 40, max_depth: 4, class_weight: balanced, seed: 1 }
evaluation:
  train: [lab]
  test: []
  target_fpr: [0.01, 0.001]
`

interface AlertJson {
  readonly flow_id: string
  readonly capture: string
  readonly src_ip: string
  readonly src_port: number | null
  readonly dst_ip: string
  readonly dst_port: number | null
  readonly protocol: number
  readonly first_seen_us: number
  readonly last_seen_us: number
  readonly first_seen: string
  readonly last_seen: string
  readonly score: number
  readonly threshold: number
  readonly model: string
  readonly top_features: ReadonlyArray<{ readonly feature: string; readonly value: number | null; readonly median: number; readonly delta: number }>
}

const readAlerts = (path: string): ReadonlyArray<AlertJson> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AlertJson)

let production = ""

beforeAll(() => {
  writeFileSync(join(dir, "pipeline.yaml"), PIPELINE)
  const run = hashhound(["run", "pipeline.yaml", "--quiet"], dir)
  expect(run.code, run.stderr).toBe(0)
  const generated = hashhound(["generate", "--scenario", "production", "--out", "production", "--duration-s", "300", "--seed", "9"], dir)
  expect(generated.code, generated.stderr).toBe(0)
  production = join(dir, "production", readdirSync(join(dir, "production")).find((name) => name.endsWith(".pcap"))!)
}, 240_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("hashhound score", () => {
  it("--sequence scores a rotating capture's pieces as one capture: one alert per flow of the whole file", { timeout: 120_000 }, () => {
    const scored = (args: ReadonlyArray<string>) => {
      const { code, stdout, stderr } = hashhound(["score", "--model", modelDir, ...args, "--threshold", "0"], dir)
      expect(code, stderr).toBe(0)
      return { alerts: stdout.trim().split("\n").map((line) => JSON.parse(line) as AlertJson), stderr }
    }
    const pieces = projectFixture("flowmeter/rotated")
    const joined = scored([pieces, "--sequence"])
    expect(joined.stderr).toContain('"sequence":true')
    const whole = scored([projectFixture("flowmeter/stratum-session.pcap"), "--quiet"])
    const key = (alert: AlertJson) => `${alert.protocol} ${alert.src_ip}:${alert.src_port} ${alert.dst_ip}:${alert.dst_port} ${alert.first_seen_us} ${alert.score}`
    expect(joined.alerts.map(key).sort()).toEqual(whole.alerts.map(key).sort())
    expect(new Set(joined.alerts.map((alert) => alert.capture))).toEqual(new Set(["stratum.pcap.gz"]))
    // file by file, the Stratum session is scored three times, once per piece
    expect(scored([pieces, "--quiet"]).alerts.filter((alert) => alert.protocol === 6)).toHaveLength(3)
  })

  it("writes one JSONL alert per flow at or above the card's default threshold, highest first, with its top features", { timeout: 120_000 }, () => {
    const card = JSON.parse(readFileSync(join(modelDir, "card.json"), "utf8")) as { thresholds: { values: Array<{ id: string; threshold: number }> }; features: Array<string> }
    const strict = card.thresholds.values.find((t) => t.id === "fpr=0.001")!.threshold
    const out = join(dir, "alerts.jsonl")
    const { code, stderr } = hashhound(["score", "--model", modelDir, production, "--out", out, "--quiet"], dir)
    expect(code, stderr).toBe(0)
    const match = /([\d,]+) flows from 1 capture\(s\) scored with model\.gbdt; ([\d,]+) alert\(s\) at score ≥ ([\d.e-]+) \(fpr=0\.001\)/.exec(stderr)
    expect(match, stderr).not.toBeNull()
    const alerts = readAlerts(out)
    expect(alerts.length).toBe(Number(match![2]!.replaceAll(",", "")))
    expect(Number(match![1]!.replaceAll(",", ""))).toBeGreaterThan(alerts.length)
    expect(alerts.length).toBeGreaterThan(0)
    for (const [i, alert] of alerts.entries()) {
      expect(Object.keys(alert)).toEqual([
        "flow_id", "capture", "src_ip", "src_port", "dst_ip", "dst_port", "protocol", "first_seen_us", "last_seen_us", "first_seen", "last_seen", "score", "threshold", "model", "top_features"
      ])
      expect(alert.threshold).toBe(strict)
      expect(alert.score).toBeGreaterThanOrEqual(strict)
      if (i > 0) expect(alert.score).toBeLessThanOrEqual(alerts[i - 1]!.score)
      expect(alert.capture).toMatch(/\.pcap$/)
      expect(alert.src_ip).toMatch(/^[\d.:a-f]+$/)
      expect([6, 17]).toContain(alert.protocol)
      expect(alert.last_seen_us).toBeGreaterThanOrEqual(alert.first_seen_us)
      expect(new Date(alert.first_seen).getTime()).toBe(Math.floor(alert.first_seen_us / 1000))
      expect(alert.model).toBe("model.gbdt")
      expect(alert.top_features.length).toBeLessThanOrEqual(3)
      for (const [k, feature] of alert.top_features.entries()) {
        expect(card.features).toContain(feature.feature)
        expect(feature.delta).toBeGreaterThan(0)
        if (k > 0) expect(feature.delta).toBeLessThanOrEqual(alert.top_features[k - 1]!.delta)
      }
    }
    expect(alerts.some((alert) => alert.top_features.length > 0)).toBe(true)
  })

  it("writes CSV with --format csv, and every flow with --threshold 0", { timeout: 120_000 }, () => {
    const { code, stdout, stderr } = hashhound(["score", "--model", modelDir, production, "--format", "csv", "--threshold", "0", "--quiet"], dir)
    expect(code, stderr).toBe(0)
    const lines = stdout.trim().split("\n")
    expect(lines[0]).toBe(
      "flow_id,capture,src_ip,src_port,dst_ip,dst_port,protocol,first_seen_us,last_seen_us,first_seen,last_seen,score,threshold,model,top1_feature,top1_value,top1_delta,top2_feature,top2_value,top2_delta,top3_feature,top3_value,top3_delta"
    )
    const flows = Number(/([\d,]+) flows from/.exec(stderr)![1]!.replaceAll(",", ""))
    expect(lines.length - 1).toBe(flows)
    expect(stderr).toContain(`${flows.toLocaleString("en-US")} alert(s) at score ≥ 0 (--threshold)`)
  })

  it("streams batch by batch with the same alerts as scoring the whole input at once", { timeout: 180_000 }, () => {
    // default: the capture is one batch, so this is the whole input scored and ranked at once,
    // as score did before it streamed; then the same input cut into batches of 300 flows
    const whole = join(dir, "whole.jsonl")
    const batched = join(dir, "batched.jsonl")
    const one = hashhound(["score", "--model", modelDir, production, "--threshold", "0", "--out", whole, "--quiet"], dir)
    expect(one.code, one.stderr).toBe(0)
    const many = hashhound(["score", "--model", modelDir, production, "--threshold", "0", "--batch-flows", "300", "--out", batched, "--quiet"], dir)
    expect(many.code, many.stderr).toBe(0)
    const reference = readAlerts(whole)
    const streamed = readAlerts(batched)
    expect(streamed.length).toBe(reference.length)
    expect(reference.length).toBeGreaterThan(600)
    // flow ids are <dataset>/<capture>/<batch>/<row>: one batch before, many now, 300 rows at most each
    const batchOf = (alert: AlertJson): number => Number(alert.flow_id.split("/").at(-2))
    const rowOf = (alert: AlertJson): number => Number(alert.flow_id.split("/").at(-1))
    expect(new Set(reference.map(batchOf))).toEqual(new Set([0]))
    const batches = streamed.map(batchOf)
    expect(Math.max(...batches)).toBe(Math.ceil(reference.length / 300) - 1)
    expect(Math.max(...streamed.map(rowOf))).toBeLessThan(300)
    // written as they come: batch after batch, each ranked highest score first
    for (let i = 1; i < streamed.length; i++) {
      expect(batches[i]!).toBeGreaterThanOrEqual(batches[i - 1]!)
      if (batches[i] === batches[i - 1]) expect(streamed[i]!.score).toBeLessThanOrEqual(streamed[i - 1]!.score)
    }
    // identical records apart from the flow id (global row = batch · 300 + row); ranked as a whole
    // (a stable sort by score keeps ties in row order), they are the one-shot output line for line
    const withoutId = ({ flow_id: _id, ...rest }: AlertJson) => rest
    const ranked = [...streamed].sort((a, b) => b.score - a.score)
    expect(ranked.map(withoutId)).toEqual(reference.map(withoutId))
    expect(ranked.map((alert) => batchOf(alert) * 300 + rowOf(alert))).toEqual(reference.map(rowOf))
    expect(many.stderr).toContain(`${reference.length.toLocaleString("en-US")} flows from 1 capture(s)`)
  })

  it("refuses a folder without a model card, a target FPR the card does not have, a batch size out of range and an --out that is its input", { timeout: 60_000 }, () => {
    const noCard = hashhound(["score", "--model", dir, production, "--quiet"], dir)
    expect(noCard.code).toBe(1)
    expect(noCard.stderr).toContain("no model card here")
    const badFpr = hashhound(["score", "--model", modelDir, production, "--target-fpr", "0.2", "--quiet"], dir)
    expect(badFpr.code).toBe(2)
    expect(badFpr.stderr).toContain("the model card has no threshold at target FPR 0.2 (it has: 0.01, 0.001)")
    const badBatch = hashhound(["score", "--model", modelDir, production, "--batch-flows", "0", "--quiet"], dir)
    expect(badBatch.code).toBe(2)
    expect(badBatch.stderr).toContain("--batch-flows must be between 1 and 65536")
    const before = readFileSync(production)
    const ownOutput = hashhound(["score", "--model", modelDir, production, "--out", production, "--quiet"], dir)
    expect(ownOutput.code).toBe(2)
    expect(ownOutput.stderr).toContain(`--out: ${production} is the input ${production}: writing it would replace it`)
    expect(readFileSync(production).equals(before)).toBe(true)
  })
})

describeFixtures("hashhound score on real captures", () => {
  it("flags the pool sessions of the stratum capture at a permissive threshold", { timeout: 120_000 }, () => {
    const stratum = fixture("mining/peafowl-stratum.pcap")
    const normal = fixture("normal/pcapplusplus-example.pcap")
    expect(existsSync(stratum)).toBe(true)
    const out = join(dir, "real.jsonl")
    const { code, stderr } = hashhound(["score", "--model", modelDir, stratum, normal, "--target-fpr", "0.01", "--out", out, "--quiet"], dir)
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/flows from 2 capture\(s\) scored/)
    const alerts = readAlerts(out)
    // peafowl-stratum.pcap: a miner's sessions to a pool on port 3333 (fixtures/PROVENANCE.md)
    const pool = alerts.filter((alert) => alert.capture === "peafowl-stratum.pcap" && alert.dst_port === 3333)
    expect(pool.length, JSON.stringify(alerts.map((a) => [a.capture, a.dst_port, a.score]))).toBeGreaterThan(0)
    expect(pool[0]!.dst_ip).toBe("94.23.199.191")
  })
})
