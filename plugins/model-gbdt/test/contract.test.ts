/**
 * model.gbdt against the shared model contract, and its golden cases (fit on the contract's
 * awkward problem, summarised: trees kept, held-out ROC-AUC, a few scores, top features).
 */
import { fileURLToPath } from "node:url"
import { awkwardProblem, goldenCases, modelContract } from "@hashhound/testkit"
import { Effect } from "effect"
import { gbdtPlugin, rocAuc, type GbdtModel } from "../src/index.js"

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))

modelContract(gbdtPlugin, {
  exampleYaml: here("../example.yaml"),
  config: { trees: 60, max_depth: 4, seed: 3 },
  testTimeoutMs: 60_000
})

goldenCases(here(".."), (_caseDir, raw) =>
  Effect.gen(function* () {
    const { type: _type, ...config } = raw as Record<string, unknown>
    const stage = yield* gbdtPlugin.make(config)
    const train = awkwardProblem(1500, 31)
    const test = awkwardProblem(600, 32)
    const fitted = (yield* stage.fit(train.x, train.y)) as GbdtModel
    const scores = yield* stage.predictProba(fitted, test.x)
    const importance = Object.entries(stage.importance?.(fitted) ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
    return {
      trees_trained: fitted.info.trees_trained,
      trees_kept: fitted.info.trees_kept,
      held_out_roc_auc: Number(rocAuc(scores, test.y).toFixed(4)),
      first_scores: Array.from(scores.slice(0, 5), (v) => Number(v.toFixed(6))),
      top_features: importance.map(([name]) => name)
    }
  }),
  { timeoutMs: 60_000 }
)
