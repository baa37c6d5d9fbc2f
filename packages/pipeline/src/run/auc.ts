/**
 * The pipeline's ROC-AUC: the shared rank ROC-AUC of `@hashhound/ml` (ties given their average
 * rank, NaN scores ranked lowest), answering `undefined` rather than NaN when either class is
 * absent, because metrics.json writes `null` there.
 *
 * Holds: `rocAuc`, a thin adapter; the computation itself lives once, in `@hashhound/ml`.
 * Does not hold: thresholds or curves (those helpers are in `@hashhound/ml` too).
 */
import { rocAuc as sharedRocAuc } from "@hashhound/ml"

export const rocAuc = (scores: ArrayLike<number>, positive: ArrayLike<number>): number | undefined => {
  const auc = sharedRocAuc(scores, positive)
  return Number.isNaN(auc) ? undefined : auc
}
