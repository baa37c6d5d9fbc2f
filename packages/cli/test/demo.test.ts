import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { hashhound } from "./cli-support.js"

// the demo's captures take about 900 MB
const out = join(mkdtempSync(join(tmpdir(), "hh-demo-")), "run")
afterAll(() => rmSync(dirname(out), { recursive: true, force: true }))

describe("hashhound demo", () => {
  it("generates lab and production traffic, runs every stage and writes the reports", { timeout: 300_000 }, () => {
    const { code, stdout, stderr } = hashhound(["demo", "--out", out, "--quiet"], tmpdir())
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/run ok/)
    for (const dataset of ["lab", "production"]) {
      expect(existsSync(join(out, "datasets", dataset, "qc", "qc.html"))).toBe(true)
      expect(stdout).toContain(`report: ${join(out, "datasets", dataset, "qc", "qc.html")}`)
    }
    expect(existsSync(join(out, "evaluation", "report.html"))).toBe(true)
    for (const model of ["model.gbdt", "model.random-forest", "model.logistic"]) {
      expect(existsSync(join(out, "models", model, "card.json"))).toBe(true)
    }
    const metrics = JSON.parse(readFileSync(join(out, "evaluation", "metrics.json"), "utf8")) as {
      datasets: Record<string, { mining: number; benign: number; roc_auc: Record<string, number> }>
    }
    const production = metrics.datasets["production"]!
    expect(production.mining).toBeGreaterThan(10)
    expect(production.benign).toBeGreaterThan(1000)
    // trained on lab only; production has other pools, ports, RTTs, loss, NAT and a lower base rate
    expect(production.roc_auc["model.gbdt"]).toBeGreaterThan(0.9)
  })
})
