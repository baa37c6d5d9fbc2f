/**
 * The label merge: priority, conflicts, missing opinions, explicit unknown, notes, malformed
 * answers, and invariants over random answers (fast-check).
 */
import { it } from "@effect/vitest"
import { LABELS, type Label, type LabelAnswer, type LabelerStage } from "@hashhound/core"
import { batchFromRows } from "@hashhound/testkit"
import { Effect } from "effect"
import fc from "fast-check"
import { describe, expect } from "vitest"
import { answerProblems, Decision, labelBatch, labelColumns, mergeLabels, type LabelerAnswer } from "../../src/labels/index.js"

const answer = (id: string, label: ReadonlyArray<Label | null>, detail?: ReadonlyArray<string | null>): LabelerAnswer => ({
  id,
  answer: { label, detail: detail ?? label.map((l) => (l === null ? null : `${id} says ${l}`)) }
})

describe("mergeLabels", () => {
  it("the first labeler with a definite opinion wins, in declared order", () => {
    const merged = mergeLabels(
      [answer("labeler.scenario", [null, "benign", null]), answer("labeler.stratum", ["mining", "benign", null]), answer("labeler.ioc", ["mining", null, "benign"])],
      3
    )
    expect(merged.label).toEqual(["mining", "benign", "benign"])
    expect(merged.source).toEqual(["labeler.stratum", "labeler.scenario", "labeler.ioc"])
    expect(merged.detail).toEqual(["labeler.stratum says mining", "labeler.scenario says benign", "labeler.ioc says benign"])
    expect(Array.from(merged.decision)).toEqual([Decision.definite, Decision.definite, Decision.definite])
    expect(Array.from(merged.conflicts)).toEqual([0, 0, 0])
  })

  it("a later disagreeing answer is a conflict with both sources named, and is counted", () => {
    const merged = mergeLabels(
      [answer("labeler.ioc", ["benign", "benign"]), answer("labeler.scenario", ["benign", null]), answer("labeler.stratum", ["mining", "mining"])],
      2
    )
    expect(merged.label).toEqual(["benign", "benign"])
    expect(merged.source).toEqual(["labeler.ioc", "labeler.ioc"])
    expect(merged.detail[0]).toBe("labeler.ioc says benign; conflict: labeler.ioc=benign vs labeler.stratum=mining (labeler.stratum says mining)")
    expect(Array.from(merged.conflicts)).toEqual([1, 1])
    expect(Object.fromEntries(merged.conflictPairs)).toEqual({ "labeler.ioc=benign vs labeler.stratum=mining": 2 })
  })

  it("several conflicts on one row are all recorded", () => {
    const merged = mergeLabels([answer("a", ["mining"], [null]), answer("b", ["benign"], [null]), answer("c", ["benign"], [null])], 1)
    expect(merged.detail[0]).toBe("conflict: a=mining vs b=benign; conflict: a=mining vs c=benign")
    expect(merged.conflicts[0]).toBe(2)
  })

  it("no opinion from anyone is unknown with no source: never benign by accident", () => {
    const merged = mergeLabels([answer("a", [null, null]), answer("b", [null, null])], 2)
    expect(merged.label).toEqual(["unknown", "unknown"])
    expect(merged.source).toEqual([null, null])
    expect(merged.detail).toEqual([null, null])
    expect(Array.from(merged.decision)).toEqual([Decision.none, Decision.none])
    expect(mergeLabels([], 2).label).toEqual(["unknown", "unknown"])
  })

  it("an explicit unknown counts only when nobody is definite, and never conflicts", () => {
    const merged = mergeLabels([answer("labeler.scenario", ["unknown", "unknown", "unknown"]), answer("labeler.stratum", ["mining", null, null]), answer("labeler.ioc", [null, null, "unknown"])], 3)
    expect(merged.label).toEqual(["mining", "unknown", "unknown"])
    expect(merged.source).toEqual(["labeler.stratum", "labeler.scenario", "labeler.scenario"])
    expect(merged.detail[1]).toBe("labeler.scenario says unknown")
    expect(Array.from(merged.decision)).toEqual([Decision.definite, Decision.explicitUnknown, Decision.explicitUnknown])
    expect(Array.from(merged.conflicts)).toEqual([0, 0, 0])
  })

  it("a no-opinion answer with a detail is kept as a note", () => {
    const merged = mergeLabels(
      [
        answer("labeler.ioc", [null, null], ["ioc (weak, port only) port 3333/tcp (dst_port) in pools.txt:9", "ioc (weak, port only) port 3333/tcp (dst_port) in pools.txt:9"]),
        answer("labeler.stratum", ["mining", null], ["pool JSON-RPC (stratum): mining.subscribe", null])
      ],
      2
    )
    expect(merged.detail).toEqual([
      "pool JSON-RPC (stratum): mining.subscribe; labeler.ioc: ioc (weak, port only) port 3333/tcp (dst_port) in pools.txt:9",
      "labeler.ioc: ioc (weak, port only) port 3333/tcp (dst_port) in pools.txt:9"
    ])
    expect(merged.label).toEqual(["mining", "unknown"])
    expect(merged.source).toEqual(["labeler.stratum", null])
  })

  it("treats a short answer or a foreign label as no opinion, and answerProblems names them", () => {
    const short: LabelAnswer = { label: ["mining"], detail: [null] }
    const foreign = { label: ["malware", "benign"], detail: [null, null] } as unknown as LabelAnswer
    const merged = mergeLabels([{ id: "a", answer: short }, { id: "b", answer: foreign }], 2)
    expect(merged.label).toEqual(["mining", "benign"])
    expect(answerProblems(short, 2)).toBe("answered 1 labels and 1 details for 2 flows")
    expect(answerProblems(foreign, 2)).toBe('row 0: label "malware" is not mining, benign, unknown or null')
    expect(answerProblems({ label: [null], detail: [3] } as unknown as LabelAnswer, 1)).toBe("row 0: detail is not a string or null")
    expect(answerProblems({ label: ["mining", null], detail: ["x", null] }, 2)).toBeUndefined()
  })

  it("holds its invariants on random answers", () => {
    const cell = fc.constantFrom<Label | null>(null, ...LABELS)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }).chain((rows) => fc.tuple(fc.constant(rows), fc.array(fc.array(cell, { minLength: rows, maxLength: rows }), { maxLength: 5 }))), ([rows, columns]) => {
        const answers = columns.map((labels, i) => answer(`labeler.l${i}`, labels))
        const merged = mergeLabels(answers, rows)
        for (let row = 0; row < rows; row++) {
          const said = columns.map((labels) => labels[row] ?? null)
          const definite = said.find((l) => l === "mining" || l === "benign")
          // the label is the first definite answer, else unknown
          expect(merged.label[row]).toBe(definite ?? "unknown")
          // benign only when some labeler said benign
          if (merged.label[row] === "benign") expect(said).toContain("benign")
          // a source exactly when somebody had an opinion, and it said the label
          const anyOpinion = said.some((l) => l !== null)
          expect(merged.source[row] === null).toBe(!anyOpinion)
          if (merged.source[row] !== null) expect(said[answers.findIndex((a) => a.id === merged.source[row])]).toBe(merged.label[row])
          // conflicts = later definite answers that disagree with the winner
          const at = said.findIndex((l) => l === definite)
          const expected = definite === undefined ? 0 : said.slice(at + 1).filter((l) => (l === "mining" || l === "benign") && l !== definite).length
          expect(merged.conflicts[row]).toBe(expected)
        }
      })
    )
  })
})

describe("labelBatch", () => {
  const stage = (label: LabelerStage["label"]): LabelerStage => ({ label })
  const batch = batchFromRows([{ src_ip: "10.0.0.1" }, { src_ip: "10.0.0.2" }], { columns: ["src_ip"] })
  const info = { dataset: "lab", capture: "x.pcap", batch: 3 }

  it.effect("runs labelers in order and merges, and labelColumns gives the three columns", () =>
    Effect.gen(function* () {
      const merged = yield* labelBatch(
        [
          { id: "labeler.a", stage: stage(() => Effect.succeed({ label: [null, "benign"], detail: [null, "a"] })) },
          { id: "labeler.b", stage: stage(() => Effect.succeed({ label: ["mining", "mining"], detail: ["b", "b"] })) }
        ],
        batch,
        info
      )
      expect(merged.label).toEqual(["mining", "benign"])
      const columns = labelColumns(merged)
      expect(columns.label.toArray()).toEqual(["mining", "benign"])
      expect(columns.label_source.toArray()).toEqual(["labeler.b", "labeler.a"])
      expect(columns.label_detail.get(1)).toBe("a; conflict: labeler.a=benign vs labeler.b=mining (b)")
    }))

  it.effect("passes the stage context to labelers that take it", () =>
    Effect.gen(function* () {
      const seen: Array<string | undefined> = []
      const withContext = {
        label: (_b: unknown, _i: unknown, context?: { baseDir: string }) => {
          seen.push(context?.baseDir)
          return Effect.succeed({ label: [null, null], detail: [null, null] })
        }
      } as unknown as LabelerStage
      yield* labelBatch([{ id: "labeler.ctx", stage: withContext }], batch, info, { dataset: "lab", baseDir: "/pipelines/lab", workDir: "/tmp/w" })
      expect(seen).toEqual(["/pipelines/lab"])
    }))

  it.effect("refuses a malformed answer with a PluginError naming the labeler and batch", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(labelBatch([{ id: "labeler.bad", stage: stage(() => Effect.succeed({ label: ["mining"], detail: [null] })) }], batch, info))
      expect(error._tag).toBe("PluginError")
      expect(error.pluginId).toBe("labeler.bad")
      expect(error.input).toBe("x.pcap batch 3")
      expect(error.reason).toBe("answered 1 labels and 1 details for 2 flows")
    }))
})
