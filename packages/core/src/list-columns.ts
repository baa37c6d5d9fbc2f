/**
 * Reading the early-packet list columns (`splt_len`, `splt_iat_ms`) of a batch into flat typed
 * arrays, without making a JavaScript array or Arrow sub-vector per row.
 *
 * Holds: `readLists` → `{ start, count, values }`: row r's items are
 * `values[start[r] .. start[r] + count[r])`, `count[r]` is −1 for a null list, a null item is
 * NaN. Reads Arrow's offset and value buffers directly for unsliced data (what sources and the
 * pipeline's Parquet reader produce) and falls back to `Vector.get` for anything else.
 * Does not hold: what the items mean (see the feature groups that read them).
 */
import type { FlowBatch } from "./flow-batch.js"

export interface ListColumn {
  readonly start: Int32Array
  readonly count: Int32Array
  readonly values: Float64Array
}

interface ArrowData {
  readonly offset: number
  readonly length: number
  readonly nullCount: number
  readonly nullBitmap?: Uint8Array | null
  readonly valueOffsets?: Int32Array
  readonly values?: ArrayLike<number | bigint>
  readonly children?: ReadonlyArray<ArrowData>
}

const isValid = (bitmap: Uint8Array | null | undefined, nulls: number, index: number): boolean =>
  nulls <= 0 || bitmap === null || bitmap === undefined || bitmap.length === 0 || ((bitmap[index >> 3]! >> (index & 7)) & 1) === 1

const flatItemsOf = (data: ArrowData): { readonly offsets: Int32Array; readonly child: ArrowData; readonly items: ArrayLike<number | bigint> } | undefined => {
  const child = data.children?.[0]
  const offsets = data.valueOffsets
  const items = child?.values
  if (child === undefined || offsets === undefined || items === undefined || data.offset !== 0 || child.offset !== 0) return undefined
  if (offsets.length < data.length + 1) return undefined
  return { offsets, child, items }
}

/** The list column `name` as flat arrays, or undefined when the batch lacks it. */
export const readLists = (batch: FlowBatch, name: string): ListColumn | undefined => {
  const vector = batch.getChild(name)
  if (vector === null) return undefined
  const rows = batch.numRows
  const start = new Int32Array(rows)
  const count = new Int32Array(rows).fill(-1)
  const chunks = vector.data as unknown as ReadonlyArray<ArrowData>
  let total = 0
  for (const data of chunks) {
    const flat = flatItemsOf(data)
    total += flat === undefined ? 0 : flat.offsets[data.length]! - flat.offsets[0]!
  }
  let values = new Float64Array(Math.max(1, total))
  let used = 0
  const reserve = (more: number): void => {
    if (used + more <= values.length) return
    const grown = new Float64Array(Math.max(values.length * 2, used + more))
    grown.set(values)
    values = grown
  }
  let row = 0
  for (const data of chunks) {
    const flat = flatItemsOf(data)
    if (flat === undefined) {
      // Rare layout (sliced data): per-row access through the Vector API.
      for (let local = 0; local < data.length; local++, row++) {
        const item: unknown = vector.get(row)
        if (item === null || item === undefined || typeof item !== "object" || !(Symbol.iterator in item)) continue
        const list = Array.from(item as Iterable<unknown>)
        reserve(list.length)
        start[row] = used
        count[row] = list.length
        for (const v of list) values[used++] = v === null || v === undefined ? Number.NaN : Number(v)
      }
      continue
    }
    const { offsets, child, items } = flat
    const bigints = typeof items[0] === "bigint"
    const listNulls = data.nullCount
    const listBitmap = data.nullBitmap
    const itemNulls = child.nullCount
    const itemBitmap = child.nullBitmap
    for (let local = 0; local < data.length; local++, row++) {
      if (listNulls > 0 && !isValid(listBitmap, listNulls, local)) continue
      const from = offsets[local]!
      const to = offsets[local + 1]!
      reserve(to - from)
      start[row] = used
      count[row] = to - from
      if (!bigints && itemNulls <= 0) {
        for (let k = from; k < to; k++) values[used++] = items[k] as number
        continue
      }
      for (let k = from; k < to; k++) {
        const v = items[k]!
        values[used++] = !isValid(itemBitmap, itemNulls, k) ? Number.NaN : bigints ? Number(v) : (v as number)
      }
    }
  }
  return { start, count, values }
}
