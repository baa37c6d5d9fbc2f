/**
 * The evaluation: pure computations over scores and labels that the models stage drives, and
 * the shapes of the files it writes (metrics.json, curves.json, model cards).
 *
 * Holds: re-exports only.
 * Does not hold: loading data, training or writing files (see `run/models.ts`).
 */
export * from "./format.js"
export { ratesOf, trainingThresholds, operatingPoints, nextUp, fprId, BEST_F1_ID } from "./thresholds.js"
export { evaluationRows, breakdowns, type EvaluationRows, type Breakdowns } from "./breakdowns.js"
export { downsample, curvesOf } from "./curves.js"
export { evaluateModel, knownScores, type ModelEvaluation } from "./dataset-metrics.js"
export { boundedPermutationImportance, featureMedians, sampleRows, DEFAULT_PERMUTATION, type PermutationJson, type PermutationSettings } from "./importance.js"
export { attributeScores, topFeatureOrder, type Contribution } from "./attribution.js"
export { ModelCardJson, ModelThresholdJson, defaultThresholdId, type ModelCard, type FeatureGroupRecord } from "./card.js"
export { summarizeFit, type FitSummary, type OutOfFoldScores, type ScoreSummary } from "./fit-summary.js"
export { foldGroups, stratifiedGroupFolds, type FoldGrouping, type Folds, type TrainingRowGroups } from "./folds.js"
export { OUT_OF_FOLD, outOfFoldPlan, outOfFoldScores, rowsOf, type OutOfFoldJson, type OutOfFoldPlan, type OutOfFoldSettings } from "./out-of-fold.js"
export { chooseThreshold, meterSettings, scoringSpec, FLOW_METER_KEYS, type ChosenThreshold, type ScoringInput } from "./scoring.js"
export { alertRecord, alertRows, csvHeader, toCsv, toCsvRows, toJsonl, type Alert, type FlowKeys } from "./alerts.js"
