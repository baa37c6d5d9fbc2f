/**
 * qc.drift: the QC contract, golden cases, PSI and KS against known values, datasets drawn from
 * the same distribution (no drift) and from a shifted one (drift), the reference itself, a
 * missing reference, and sampling that gives the same answer on every run.
 */
import { it } from "@effect/vitest"
import type { Finding, FlowBatch, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { driftQc } from "../src/index.js"
import { binShares, ks, psi, quantileEdges, Reservoir } from "../src/drift-stats.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(driftQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(driftQc))

/** Seeded standard normal draws (Box–Muller over an LCG). */
const normals = (n: number, seed: number): Float64Array => {
  let s = seed
  const uniform = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return (s + 0.5) / 2147483648
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
  return out
}

/** Flows whose log10 bytes and duration follow N(mu, 0.5). */
const dataset = (n: number, seed: number, mu: number): FlowBatch => {
  const z = normals(n, seed)
  return batchFromRows(
    Array.from({ length: n }, (_, i) => ({
      duration_s: Math.pow(10, z[i]! * 0.5),
      fwd_bytes: Math.round(Math.pow(10, mu + z[i]! * 0.5)),
      bwd_bytes: Math.round(Math.pow(10, 3 + z[(i + 7) % n]! * 0.5)),
      fwd_packets: 1 + (i % 20),
      bwd_packets: 1 + (i % 15),
      dst_port: [443, 80, 53, 3333][i % 4]!
    }))
  )
}

const stageOf = (yaml: string) => makeFromYaml(driftQc, `type: qc.drift\n${yaml}`) as Effect.Effect<QcStage, unknown>
const judged = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info").map((f) => [f.metric, f.severity])

describe("qc.drift statistics", () => {
  it("PSI and KS are 0 for the same sample and grow with a shift", () => {
    const a = normals(5000, 1).sort()
    expect(psi(a, a)).toBe(0)
    expect(ks(a, a)).toBe(0)
    const b = normals(5000, 2).sort()
    expect(psi(a, b)).toBeLessThan(0.02)
    expect(ks(a, b)).toBeLessThan(0.04)
    const shifted = normals(5000, 3).map((x) => x + 1).sort()
    // KS of N(0,1) vs N(1,1) is 2Φ(0.5) − 1 ≈ 0.383
    expect(ks(a, shifted)).toBeGreaterThan(0.35)
    expect(ks(a, shifted)).toBeLessThan(0.42)
    expect(psi(a, shifted)).toBeGreaterThan(0.8)
    expect(ks(Float64Array.from([1, 2, 3]), Float64Array.from([4, 5]))).toBe(1)
  })

  it("bins are the reference's deciles, with ties merged", () => {
    const ref = Float64Array.from({ length: 100 }, (_, i) => i)
    expect(quantileEdges(ref, 10)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90])
    expect(binShares(ref, quantileEdges(ref, 10))).toEqual([0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09])
    const ports = Float64Array.from([...Array(90).fill(443), ...Array(10).fill(3333)]).sort()
    expect(quantileEdges(ports, 10)).toEqual([443, 3333])
  })

  it("the reservoir keeps a uniform sample of at most its capacity, the same on every run", () => {
    const take = () => {
      const r = new Reservoir(100, 7)
      for (let i = 0; i < 10_000; i++) r.add(i)
      r.add(Number.NaN)
      return r
    }
    const a = take()
    expect(a.seen).toBe(10_000)
    expect(a.sorted()).toEqual(take().sorted())
    expect(a.sorted().length).toBe(100)
    const mean = a.sorted().reduce((s, x) => s + x, 0) / 100
    expect(mean).toBeGreaterThan(3500)
    expect(mean).toBeLessThan(6500)
  })
})

describe("qc.drift", () => {
  it.effect("a dataset drawn like the reference raises nothing above info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("reference: lab")
      const findings = yield* stage.finish(memoryAccess("campus", { lab: [dataset(3000, 11, 3)], campus: [dataset(2000, 12, 3), dataset(1000, 13, 3)] }), [])
      expect(judged(findings)).toEqual([])
      expect(findings.map((f) => f.metric)).toEqual(
        ["duration_s", "fwd_bytes", "bwd_bytes", "fwd_packets", "bwd_packets", "dst_port"].flatMap((c) => [`psi.${c}`, `ks.${c}`])
      )
    }))

  it.effect("ten times the bytes drifts: PSI and KS of fwd_bytes cross their thresholds", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("reference: lab\nfail: { psi_above: 1 }")
      const findings = yield* stage.finish(memoryAccess("campus", { lab: [dataset(3000, 11, 3)], campus: [dataset(3000, 12, 4)] }), [])
      expect(judged(findings)).toEqual([
        ["psi.fwd_bytes", "fail"],
        ["ks.fwd_bytes", "warn"]
      ])
      const fail = findings.find((f) => f.severity === "fail")!
      expect(fail.message).toMatch(/^qc\.drift: PSI of fwd_bytes [\d.]+ above fail threshold psi_above=1 \(dataset\) \(vs lab; 3000 and 3000 values\)$/)
      expect(fail.value).toBeGreaterThan(1)
    }))

  it.effect("the reference itself is not compared; a missing reference fails", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("reference: lab")
      const self = yield* stage.finish(memoryAccess("lab", { lab: [dataset(100, 1, 3)] }), [])
      expect(self.map((f) => [f.code, f.severity])).toEqual([["reference", "info"]])
      const missing = yield* stage.finish(memoryAccess("campus", { campus: [dataset(100, 1, 3)] }), [])
      expect(missing.map((f) => [f.code, f.severity])).toEqual([["reference_missing", "fail"]])
      expect(missing[0]!.message).toContain('reference dataset "lab" is not in this run (datasets: campus)')
    }))

  it.effect("columns with too few values are not compared; sampling gives the same answer twice", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("reference: lab\ncolumns: [fwd_bytes, vlan_id]\nmax_rows: 500")
      const access = memoryAccess("campus", { lab: [dataset(5000, 11, 3)], campus: [dataset(5000, 12, 3.3)] })
      const first = yield* stage.finish(access, [])
      expect(first.find((f) => f.metric === "psi.vlan_id")?.code).toBe("not_compared")
      expect(first.find((f) => f.metric === "psi.fwd_bytes")?.message).toContain("5000 and 5000 values, sampled")
      expect((yield* stage.finish(access, [])).map((f) => f.value)).toEqual(first.map((f) => f.value))
    }))

  it("refuses non-numeric columns and a missing reference key, naming the path", () => {
    const paths = (raw: unknown) => Either.match(driftQc.decode(raw, "qc.5"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ reference: "lab", columns: ["tls_sni"] })).toEqual(["qc.5.columns.0"])
    expect(paths({})).toEqual(["qc.5.reference"])
    expect(paths({ reference: "lab", bins: 1 })).toEqual(["qc.5.bins"])
  })
})
