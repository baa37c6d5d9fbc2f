/**
 * @hashhound/ml: the estimator machinery the model plugins share, so that no plugin copies
 * another's (plugins may not import each other).
 *
 * Holds: re-exports only: the seeded PRNG (`random.ts`), quantile binning (`binning.ts`), the
 * training-input and feature-set checks (`inputs.ts`), the worker-thread bootstrap for TypeScript
 * workers (`workers.ts`), the model-file envelope check (`model-file.ts`), whether an optional
 * package is installed (`optional-package.ts`), the metrics (`metrics/`: ROC-AUC and curve,
 * threshold at a target FPR or at the best F1, confusion matrix and rates, PR curve and average
 * precision, bootstrap interval of ROC-AUC and paired interval of a difference, calibration) and permutation importance
 * (`permutation.ts`).
 * Does not hold: any model (each lives in its plugin), I/O, or the pipeline's evaluation driving.
 */
export { makeRng, pickDistinct, sampleAscending, type Rng } from "./random.js"
export { binOf, binRows, EDGE_SAMPLE, featureEdges, makeLayout, type BinLayout } from "./binning.js"
export { alignFeatures, checkMatrix, checkTraining } from "./inputs.js"
export { workerBootstrap, workerEntry } from "./workers.js"
export { decodeModelFile } from "./model-file.js"
export { resolvable } from "./optional-package.js"
export {
  ranking,
  scoreKeys,
  thresholdCounts,
  thresholdCurve,
  type Ranking,
  type ThresholdCounts,
  type ThresholdCurve
} from "./metrics/ranking.js"
export {
  rankedRocAuc,
  rocAuc,
  rocCurve,
  thresholdAtFpr,
  weightedRocAuc,
  type OperatingPoint,
  type RocCurve
} from "./metrics/roc.js"
export { confusionAt, confusionFromCounts, rates, type Confusion, type Rates } from "./metrics/confusion.js"
export { averagePrecision, prCurve, type PrCurve } from "./metrics/precision-recall.js"
export {
  bootstrapRocAuc,
  bootstrapRocAucDifference,
  quantileSorted,
  type AucDifference,
  type AucInterval,
  type BootstrapOptions
} from "./metrics/bootstrap.js"
export { calibration, type Calibration, type CalibrationBin } from "./metrics/calibration.js"
export { permutationImportance, type PermutationOptions, type PermutationScore } from "./permutation.js"
export { thresholdAtBestF1, type BestF1 } from "./metrics/best-f1.js"
export { sampleWeights } from "./weights.js"
