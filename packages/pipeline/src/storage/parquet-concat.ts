/**
 * Parquet files joined into one without decoding a page: the column-chunk bytes of every part
 * are copied in order, and one footer lists all their row groups with their offsets moved by
 * where each part landed. This is how `exportBatches` ends a Parquet export: in a streaming
 * copy, with no re-compression and no row group held in memory.
 *
 * Holds: `readParquetFooter` (footer bytes and the decoded FileMetaData of one file) and
 * `concatParquet` (parts → one file; answers `false`, having written nothing, when the parts'
 * schemas differ and a column-by-name union is needed instead).
 * Does not hold: writing parts, the union by name (DuckDB does that, see `storage.ts`), or
 * encrypted Parquet (DuckDB's parts are not encrypted).
 *
 * FileMetaData fields used (parquet.thrift): 2 schema, 3 num_rows, 4 row_groups, 5 key/value
 * metadata, 7 column orders. RowGroup: 1 columns, 5 file_offset, 7 ordinal. ColumnChunk: 2
 * file_offset, 3 meta_data, 4/5 offset index (dropped: its page offsets are not moved), 6
 * column_index_offset. ColumnMetaData: 9
 * data_page_offset, 10 index_page_offset, 11 dictionary_page_offset, 14 bloom_filter_offset.
 * Every other field is carried over as it was.
 */
import { promises as fs } from "node:fs"
import { COPY_BYTES, copyRange } from "./file-range.js"
import { decodeStruct, encodeStruct, fieldOf, T_I64, type ThriftEncoded, type ThriftList, type ThriftStruct, type ThriftValue } from "./thrift-compact.js"

const MAGIC = Buffer.from("PAR1", "latin1")

export interface ParquetFooter {
  /** where the footer starts (the bytes before it, after the leading magic, are data) */
  readonly footerStart: number
  readonly metadata: ThriftStruct
  /** the schema, key/value metadata and column orders as encoded: parts that join must agree */
  readonly shape: string
}

const fail = (path: string, reason: string): Error => new Error(`${path}: not a Parquet file this can join (${reason})`)

/** Read and decode the footer of one Parquet file. */
export const readParquetFooter = async (path: string): Promise<ParquetFooter> => {
  const handle = await fs.open(path, "r")
  try {
    const { size } = await handle.stat()
    if (size < 12) throw fail(path, `${size} bytes`)
    const tail = Buffer.alloc(8)
    await handle.read(tail, 0, 8, size - 8)
    if (!tail.subarray(4).equals(MAGIC)) throw fail(path, "no PAR1 at the end")
    const length = tail.readUInt32LE(0)
    if (length > size - 12) throw fail(path, `footer length ${length} past the start`)
    const footerStart = size - 8 - length
    const footer = Buffer.alloc(length)
    await handle.read(footer, 0, length, footerStart)
    const { value: metadata } = decodeStruct(footer)
    const shape = [2, 5, 7]
      .map((id) => {
        const field = fieldOf(metadata, id)
        return field === undefined ? "" : Buffer.from(encodeStruct({ kind: "struct", fields: [field] })).toString("base64")
      })
      .join("|")
    return { footerStart, metadata, shape }
  } finally {
    await handle.close()
  }
}

const add = (field: { value: ThriftValue } | undefined, delta: bigint): void => {
  if (field !== undefined && typeof field.value === "bigint") field.value = field.value + delta
}

const listOf = (struct: ThriftStruct, id: number): Array<ThriftValue> => {
  const field = fieldOf(struct, id)
  return field === undefined ? [] : (field.value as ThriftList).items
}

/** Move every absolute file offset of one row group by `delta` and give it `ordinal`. */
const shiftRowGroup = (group: ThriftStruct, delta: bigint, ordinal: number): void => {
  add(fieldOf(group, 5), delta)
  const ordinalField = fieldOf(group, 7)
  if (ordinalField !== undefined) ordinalField.value = ordinal
  for (const item of listOf(group, 1)) {
    const chunk = item as ThriftStruct
    add(fieldOf(chunk, 2), delta)
    // an offset index lists absolute page offsets inside the copied bytes, which are not
    // rewritten: the chunk loses its reference to it (readers then scan the pages). A column
    // index holds only per-page statistics, so moving its offset is enough.
    for (let at = chunk.fields.length - 1; at >= 0; at--) {
      const id = chunk.fields[at]!.id
      if (id === 4 || id === 5) chunk.fields.splice(at, 1)
    }
    add(fieldOf(chunk, 6), delta)
    const meta = fieldOf(chunk, 3)
    if (meta !== undefined) for (const id of [9, 10, 11, 14]) add(fieldOf(meta.value as ThriftStruct, id), delta)
  }
}

/**
 * Join `parts` (in order) into `target`. Answers false, writing nothing, when the parts do not
 * share one schema. The caller owns `target`'s atomicity (pass a tmp name).
 *
 * Footers are read twice: once to compare every part's shape before anything is written,
 * then one at a time while its bytes are copied, each moved row group kept only as its
 * encoded bytes. (Holding every decoded footer at once took 25 MB of heap for the 58 parts of
 * a 2 GB capture's flows; the joined footer itself is 0.4 MB.)
 */
export const concatParquet = async (parts: ReadonlyArray<string>, target: string): Promise<boolean> => {
  let first: ParquetFooter | undefined
  for (const part of parts) {
    const footer = await readParquetFooter(part)
    if (first === undefined) first = footer
    else if (footer.shape !== first.shape) return false
  }
  if (first === undefined) return false

  const out = await fs.open(target, "w")
  try {
    const groups: Array<ThriftEncoded> = []
    let rows = 0n
    let position = MAGIC.length
    await out.write(MAGIC, 0, MAGIC.length, 0)
    const buffer = Buffer.alloc(COPY_BYTES)
    for (let i = 0; i < parts.length; i++) {
      const footer = i === 0 ? first : await readParquetFooter(parts[i]!)
      if (footer.shape !== first.shape) throw fail(parts[i]!, "its schema changed while the parts were joined")
      // the part's byte 4 (its first data byte) lands at `position`
      const delta = BigInt(position - MAGIC.length)
      const input = await fs.open(parts[i]!, "r")
      try {
        const copied = await copyRange(input, MAGIC.length, footer.footerStart, out, position, buffer)
        if (copied < footer.footerStart - MAGIC.length) throw fail(parts[i]!, "shorter than its footer says")
        position += copied
      } finally {
        await input.close()
      }
      for (const group of listOf(footer.metadata, 4)) {
        shiftRowGroup(group as ThriftStruct, delta, groups.length)
        groups.push({ kind: "encoded", bytes: encodeStruct(group as ThriftStruct) })
      }
      const numRows = fieldOf(footer.metadata, 3)
      rows += numRows === undefined ? 0n : (numRows.value as bigint)
    }
    const fields = first.metadata.fields.map((field) =>
      field.id === 3
        ? { id: 3, type: T_I64, value: rows }
        : field.id === 4
          ? { id: 4, type: field.type, value: { ...(field.value as ThriftList), items: groups } }
          : field
    )
    const encoded = encodeStruct({ kind: "struct", fields })
    const tail = Buffer.alloc(8)
    tail.writeUInt32LE(encoded.length, 0)
    MAGIC.copy(tail, 4)
    await out.write(encoded, 0, encoded.length, position)
    await out.write(tail, 0, 8, position + encoded.length)
  } finally {
    await out.close()
  }
  return true
}
