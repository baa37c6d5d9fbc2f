/**
 * The label summary for the QC report: coverage, class balance, sources, conflicts and
 * duplicates per dataset and capture.
 */
import { it } from "@effect/vitest"
import { describe, expect } from "vitest"
import { labelSummary, LabelTally, mergeLabels, type LabelerAnswer } from "../../src/labels/index.js"

const answers = (scenario: ReadonlyArray<"mining" | "benign" | "unknown" | null>, stratum: ReadonlyArray<"mining" | null>): ReadonlyArray<LabelerAnswer> => [
  { id: "labeler.scenario", answer: { label: scenario, detail: scenario.map(() => null) } },
  { id: "labeler.stratum", answer: { label: stratum, detail: stratum.map(() => null) } }
]

describe("labelSummary", () => {
  it("counts classes, coverage, sources, conflicts and duplicates per dataset and capture", () => {
    const lab1 = mergeLabels(answers(["mining", "benign", "benign", null], ["mining", "mining", null, null]), 4)
    const lab2 = mergeLabels(answers(["unknown", null], [null, "mining"]), 2)
    const campus = mergeLabels(answers(["benign", "benign"], [null, null]), 2)
    const summary = labelSummary([
      { dataset: "lab", capture: "xmrig-01.pcap", merged: lab1, duplicateOf: [null, null, null, "lab/xmrig-00.pcap/0/3"] },
      { dataset: "lab", capture: "xmrig-02.pcap", merged: lab2 },
      { dataset: "campus", capture: "monday.pcap", merged: campus }
    ])
    expect(summary.datasets["lab"]).toEqual({
      flows: 6,
      mining: 2,
      benign: 2,
      unknown: 2,
      explicit_unknown: 1,
      labelled: 4,
      coverage: 4 / 6,
      mining_share: 0.5,
      conflicts: 1,
      duplicates: 1,
      by_source: { "labeler.scenario": 4, "labeler.stratum": 1, none: 1 },
      conflict_pairs: { "labeler.scenario=benign vs labeler.stratum=mining": 1 },
      captures: {
        "xmrig-01.pcap": { flows: 4, mining: 1, benign: 2, unknown: 1, explicit_unknown: 0, labelled: 3, coverage: 0.75, mining_share: 1 / 3, conflicts: 1, duplicates: 1 },
        "xmrig-02.pcap": { flows: 2, mining: 1, benign: 0, unknown: 1, explicit_unknown: 1, labelled: 1, coverage: 0.5, mining_share: 1, conflicts: 0, duplicates: 0 }
      }
    })
    expect(Object.keys(summary.datasets)).toEqual(["campus", "lab"])
    expect(summary.totals).toMatchObject({ flows: 8, mining: 2, benign: 4, unknown: 2, labelled: 6, coverage: 0.75, mining_share: 2 / 6, conflicts: 1 })
  })

  it("is JSON, and an empty or unlabelled dataset has coverage 0 and no mining share", () => {
    const tally = new LabelTally().add({ dataset: "empty", capture: "none.pcap", merged: mergeLabels([], 0) })
    tally.add({ dataset: "dark", capture: "d.pcap", merged: mergeLabels([], 3) })
    const json = JSON.parse(JSON.stringify(tally.toJSON())) as ReturnType<LabelTally["toJSON"]>
    expect(json.datasets["empty"]).toMatchObject({ flows: 0, coverage: 0, mining_share: null })
    expect(json.datasets["dark"]).toMatchObject({ flows: 3, unknown: 3, coverage: 0, mining_share: null, by_source: { none: 3 } })
  })
})
