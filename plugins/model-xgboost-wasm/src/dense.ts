/**
 * Turning column-major features into the row arrays ml-xgboost takes.
 *
 * Holds: `MISSING_MARKER` (-1, the `missing` value ml-xgboost passes to XGBoost when it builds
 * its DMatrix; XGBoost of that build aborts on NaN) and `denseRows` (rows as `number[][]`, NaN
 * replaced by the marker).
 * Does not hold: any model.
 */

/** ml-xgboost creates every DMatrix with missing = -1; NaN itself is refused by XGBoost there. */
export const MISSING_MARKER = -1

export const denseRows = (columns: ReadonlyArray<Float64Array>, rows: number): Array<Array<number>> => {
  const out: Array<Array<number>> = new Array(rows)
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(columns.length)
    for (let f = 0; f < columns.length; f++) {
      const v = columns[f]![r]!
      row[f] = v !== v ? MISSING_MARKER : v
    }
    out[r] = row
  }
  return out
}
