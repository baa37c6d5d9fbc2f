/**
 * model.logistic against the shared model contract, and its golden cases (fit on the contract's
 * awkward problem, summarised: iterations, held-out ROC-AUC, coefficients, a few scores).
 */
import { fileURLToPath } from "node:url"
import { awkwardProblem, contractRocAuc, goldenCases, modelContract } from "@hashhound/testkit"
import { Effect } from "effect"
import { logisticPlugin, type LogisticModel } from "../src/index.js"

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
const round = (v: number): number => Number(v.toFixed(6))

modelContract(logisticPlugin, { exampleYaml: here("../example.yaml"), config: {}, testTimeoutMs: 60_000 })

goldenCases(here(".."), (_caseDir, raw) =>
  Effect.gen(function* () {
    const { type: _type, ...config } = raw as Record<string, unknown>
    const stage = yield* logisticPlugin.make(config)
    const train = awkwardProblem(1500, 31)
    const test = awkwardProblem(600, 32)
    const fitted = (yield* stage.fit(train.x, train.y)) as LogisticModel
    const scores = yield* stage.predictProba(fitted, test.x)
    return {
      converged: fitted.info.converged,
      held_out_roc_auc: Number(contractRocAuc(scores, test.y).toFixed(4)),
      intercept: round(fitted.intercept),
      coefficients: Object.fromEntries(fitted.featureNames.map((name, j) => [name, round(fitted.coefficients[j]!)])),
      first_scores: Array.from(scores.slice(0, 5), round)
    }
  }),
  { timeoutMs: 60_000 }
)
