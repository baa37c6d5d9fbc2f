/**
 * Identity columns: stamping `flow_id`, `dataset`, `capture` and `batch` onto a batch.
 *
 * Holds: the flow id rule (`<dataset>/<capture>/<batch>/<row>`, stable across reruns and resumes).
 * Does not hold: anything about how the flows were made.
 */
import { Int32, makeData, makeVector } from "apache-arrow"
import { utf8Vector, withColumns, type FlowBatch } from "./flow-batch.js"

export const flowId = (dataset: string, capture: string, batch: number, row: number): string =>
  `${dataset}/${capture}/${batch}/${row}`

export const stampIdentity = (batch: FlowBatch, dataset: string, capture: string, index: number): FlowBatch => {
  const rows = batch.numRows
  const ids: Array<string> = new Array(rows)
  for (let row = 0; row < rows; row++) ids[row] = flowId(dataset, capture, index, row)
  const batchNumbers = new Int32Array(rows).fill(index)
  return withColumns(batch, {
    flow_id: utf8Vector(ids),
    dataset: utf8Vector(new Array<string>(rows).fill(dataset)),
    capture: utf8Vector(new Array<string>(rows).fill(capture)),
    batch: makeVector(makeData({ type: new Int32(), length: rows, data: batchNumbers }))
  })
}
