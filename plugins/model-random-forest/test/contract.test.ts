/**
 * model.random-forest against the shared model contract, and its golden cases (fit on the
 * contract's awkward problem, summarised: out-of-bag score, held-out ROC-AUC, a few scores,
 * top features).
 */
import { fileURLToPath } from "node:url"
import { awkwardProblem, contractRocAuc, goldenCases, modelContract } from "@hashhound/testkit"
import { Effect } from "effect"
import { randomForestPlugin, type ForestModel } from "../src/index.js"

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
const round = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(4)))

modelContract(randomForestPlugin, {
  exampleYaml: here("../example.yaml"),
  config: { trees: 40, max_depth: 10, min_samples_leaf: 2, seed: 3 },
  testTimeoutMs: 60_000
})

goldenCases(here(".."), (_caseDir, raw) =>
  Effect.gen(function* () {
    const { type: _type, ...config } = raw as Record<string, unknown>
    const stage = yield* randomForestPlugin.make(config)
    const train = awkwardProblem(1500, 31)
    const test = awkwardProblem(600, 32)
    const fitted = (yield* stage.fit(train.x, train.y)) as ForestModel
    const scores = yield* stage.predictProba(fitted, test.x)
    const importance = Object.entries(stage.importance?.(fitted) ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
    return {
      trees: fitted.info.trees,
      features_per_split: fitted.info.features_per_split,
      oob_rows: fitted.info.oob_rows,
      oob_roc_auc: round(fitted.info.oob_roc_auc),
      oob_accuracy: round(fitted.info.oob_accuracy),
      held_out_roc_auc: round(contractRocAuc(scores, test.y)),
      first_scores: Array.from(scores.slice(0, 5), (v) => Number(v.toFixed(6))),
      top_features: importance.map(([name]) => name)
    }
  }),
  { timeoutMs: 60_000 }
)
