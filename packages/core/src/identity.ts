/**
 * Identity columns: stamping `flow_id`, `dataset`, `capture` and `batch` onto a batch.
 *
 * Holds: the flow id rule (`<dataset>/<capture>/<batch>/<row>`, stable across reruns and resumes)
 * and `stampIdentity`, which writes the identity columns straight as UTF-8 bytes (the shared
 * prefix encoded once, the row number as digits), with no JS string per row.
 * Does not hold: anything about how the flows were made.
 */
import { Int32, makeData, makeVector, type Utf8, type Vector } from "apache-arrow"
import { columnBuffers } from "./column-buffers.js"
import { utf8VectorOfParts, withColumns, type FlowBatch } from "./flow-batch.js"

/** What every flow id of one batch starts with. */
export const flowIdPrefix = (dataset: string, capture: string, batch: number): string => `${dataset}/${capture}/${batch}/`

export const flowId = (dataset: string, capture: string, batch: number, row: number): string =>
  `${flowIdPrefix(dataset, capture, batch)}${row}`

const encoder = new TextEncoder()

/** Decimal digits of a non-negative integer. */
const digitCount = (n: number): number => {
  let count = 1
  while (n >= 10) {
    n = Math.floor(n / 10)
    count++
  }
  return count
}

/**
 * Rows 0..rows-1 as `prefix` followed by the row number in decimal (`numbered`), or `prefix`
 * alone: one UTF-8 column built from the prefix's bytes, encoded once.
 */
const prefixedColumn = (prefix: string, rows: number, numbered: boolean): Vector<Utf8> => {
  const head = encoder.encode(prefix)
  const widest = numbered ? digitCount(Math.max(0, rows - 1)) : 0
  const bytes = columnBuffers.uint8(Math.max(1, rows * (head.length + widest)))
  const offsets = columnBuffers.int32(rows + 1)
  if (!numbered) {
    // one text in every row: written once, then doubled by native copies
    const total = rows * head.length
    if (total > 0) bytes.set(head, 0)
    for (let filled = head.length; filled < total; filled *= 2) bytes.copyWithin(filled, 0, Math.min(filled, total - filled))
    for (let row = 0; row < rows; row++) offsets[row + 1] = (row + 1) * head.length
    return utf8VectorOfParts(offsets, bytes, undefined, rows)
  }
  let at = 0
  for (let row = 0; row < rows; row++) {
    bytes.set(head, at)
    at += head.length
    const width = digitCount(row)
    let rest = row
    for (let k = width - 1; k >= 0; k--) {
      bytes[at + k] = 0x30 + (rest % 10)
      rest = Math.floor(rest / 10)
    }
    at += width
    offsets[row + 1] = at
  }
  return utf8VectorOfParts(offsets, bytes, undefined, rows)
}

export const stampIdentity = (batch: FlowBatch, dataset: string, capture: string, index: number): FlowBatch => {
  const rows = batch.numRows
  const batchNumbers = columnBuffers.int32(rows).fill(index)
  return withColumns(batch, {
    flow_id: prefixedColumn(flowIdPrefix(dataset, capture, index), rows, true),
    dataset: prefixedColumn(dataset, rows, false),
    capture: prefixedColumn(capture, rows, false),
    batch: makeVector(makeData({ type: new Int32(), length: rows, data: batchNumbers }))
  })
}
