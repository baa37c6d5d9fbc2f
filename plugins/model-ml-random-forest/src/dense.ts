/**
 * Turning column-major features into the row arrays ml-random-forest takes.
 *
 * Holds: `columnMeans` (mean of the finite training values per feature, 0 when none) and
 * `denseRows` (rows as `number[][]`, NaN replaced by a per-feature fill value, the training
 * mean, because the package cannot handle missing values).
 * Does not hold: any model.
 */

export const columnMeans = (columns: ReadonlyArray<Float64Array>, rows: number): Array<number> =>
  columns.map((column) => {
    let sum = 0
    let count = 0
    for (let r = 0; r < rows; r++) {
      const v = column[r]!
      if (Number.isFinite(v)) {
        sum += v
        count++
      }
    }
    return count > 0 ? sum / count : 0
  })

export const denseRows = (columns: ReadonlyArray<Float64Array>, rows: number, fill: ReadonlyArray<number>): Array<Array<number>> => {
  const out: Array<Array<number>> = new Array(rows)
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(columns.length)
    for (let f = 0; f < columns.length; f++) {
      const v = columns[f]![r]!
      row[f] = v !== v ? fill[f]! : v
    }
    out[r] = row
  }
  return out
}
