/**
 * A batch's stored columns written as a Parquet file by hashhound itself, without DuckDB: what
 * the flows export writes its parts with, so that `hashhound flows` never loads DuckDB when its
 * parts share one schema (`exportBatches` in `storage.ts`).
 *
 * Holds: `writeParquetFile` (one row group, or none for no rows; GZIP pages) and the schema
 * it writes, the same logical
 * types DuckDB writes for the catalogue kinds: int32 → INT32 (INT_32), int64 → INT64 (INT_64),
 * float64 → DOUBLE, bool → BOOLEAN, utf8 → BYTE_ARRAY (UTF8), list_int32 / list_float64 →
 * the three-level LIST of an OPTIONAL INT32 / DOUBLE `element`. Every column is OPTIONAL.
 * Why GZIP: Node 20's zlib has no zstd; deflate is native, and every Parquet reader has it.
 * Does not hold: joining files (see `parquet-concat.ts`), reading, or any type outside the
 * catalogue's (`storedColumns` refuses those first).
 */
import type { ColumnType } from "@hashhound/core"
import { closeSync, openSync, writevSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { ChunkScratch, encodeChunk, type EncodedChunk } from "./parquet-chunks.js"
import { gatherLeaves, Leaves, type ColumnImage } from "./parquet-leaves.js"
import { encodeStruct, T_BINARY, T_I16, T_I32, T_I64, T_I8, T_LIST, T_STRUCT, T_TRUE, type ThriftField, type ThriftStruct, type ThriftValue } from "./thrift-compact.js"

const MAGIC = new TextEncoder().encode("PAR1")
/**
 * deflate level: on a part of the bench capture's flows (8,192 rows) level 1 made 439 KB of
 * pages in 10.6 ms, level 6 410 KB (7% less) in 30.7 ms
 */
const GZIP_LEVEL = 1

// parquet.thrift enums
const TYPE = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const
const REQUIRED = 0
const OPTIONAL = 1
const REPEATED = 2
const CONVERTED = { UTF8: 0, LIST: 3, INT_32: 17, INT_64: 18 } as const
const CODEC = { UNCOMPRESSED: 0, GZIP: 2 } as const
/**
 * A chunk whose pages hold fewer bytes than this is not compressed (its codec is
 * UNCOMPRESSED; the codec is per column chunk): each deflate costs about 50 µs to set up, more
 * than a few hundred bytes save (dictionary-encoded flags, counts, protocols).
 */
const COMPRESS_FROM_BYTES = 512
const ENCODING = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3 } as const
const PAGE = { DATA: 0, DICTIONARY: 2 } as const

const field = (id: number, type: number, value: ThriftValue): ThriftField => ({ id, type, value })
const struct = (...fields: ReadonlyArray<ThriftField | undefined>): ThriftStruct => ({
  kind: "struct",
  fields: fields.filter((entry): entry is ThriftField => entry !== undefined)
})
const i32 = (id: number, value: number): ThriftField => field(id, T_I32, value)
const i64 = (id: number, value: number): ThriftField => field(id, T_I64, BigInt(value))
const text = (id: number, value: string): ThriftField => field(id, T_BINARY, new TextEncoder().encode(value))
const list = (id: number, elementType: number, items: Array<ThriftValue>): ThriftField => field(id, T_LIST, { kind: "list", wire: T_LIST, elementType, items })

interface Leaf {
  readonly physical: number
  readonly converted: number | undefined
  /** LogicalType union member: field id and its struct */
  readonly logical: ThriftField | undefined
}

const LEAVES: Readonly<Record<"int32" | "int64" | "float64" | "bool" | "utf8", Leaf>> = {
  int32: { physical: TYPE.INT32, converted: CONVERTED.INT_32, logical: field(10, T_STRUCT, struct(field(1, T_I8, 32), field(2, T_TRUE, true))) },
  int64: { physical: TYPE.INT64, converted: CONVERTED.INT_64, logical: field(10, T_STRUCT, struct(field(1, T_I8, 64), field(2, T_TRUE, true))) },
  float64: { physical: TYPE.DOUBLE, converted: undefined, logical: undefined },
  bool: { physical: TYPE.BOOLEAN, converted: undefined, logical: undefined },
  utf8: { physical: TYPE.BYTE_ARRAY, converted: CONVERTED.UTF8, logical: field(1, T_STRUCT, struct()) }
}

const leafOf = (kind: ColumnType): Leaf => LEAVES[kind === "list_int32" ? "int32" : kind === "list_float64" ? "float64" : kind]
const isList = (kind: ColumnType): boolean => kind === "list_int32" || kind === "list_float64"

const leafElement = (leaf: Leaf, name: string): ThriftStruct =>
  struct(
    i32(1, leaf.physical),
    i32(3, OPTIONAL),
    text(4, name),
    leaf.converted === undefined ? undefined : i32(6, leaf.converted),
    leaf.logical === undefined ? undefined : field(10, T_STRUCT, struct(leaf.logical))
  )

/** The flattened schema: the root, then each column (a list as its three elements). */
const schemaOf = (columns: ReadonlyArray<ColumnImage>): Array<ThriftValue> => [
  struct(i32(3, REQUIRED), text(4, "schema"), i32(5, columns.length)),
  ...columns.flatMap((column) =>
    isList(column.kind)
      ? [
          struct(i32(3, OPTIONAL), text(4, column.name), i32(5, 1), i32(6, CONVERTED.LIST), field(10, T_STRUCT, struct(field(3, T_STRUCT, struct())))),
          struct(i32(3, REPEATED), text(4, "list"), i32(5, 1)),
          leafElement(leafOf(column.kind), "element")
        ]
      : [leafElement(leafOf(column.kind), column.name)]
  )
]

const pageHeader = (type: number, uncompressed: number, compressed: number, body: ThriftField): Uint8Array =>
  encodeStruct(struct(i32(1, type), i32(2, uncompressed), i32(3, compressed), body))

interface WrittenChunk {
  readonly buffers: ReadonlyArray<Uint8Array>
  readonly metadata: (start: number) => ThriftStruct
  readonly compressed: number
  readonly uncompressed: number
}

/** One column chunk's bytes (page headers and compressed pages) and its metadata once placed. */
const compressChunk = (column: ColumnImage, chunk: EncodedChunk): WrittenChunk => {
  const leaf = leafOf(column.kind)
  const compress = chunk.page.length + (chunk.dictionary?.bytes.length ?? 0) >= COMPRESS_FROM_BYTES
  // the pages are views of the encoder's scratch: kept as a copy either way
  const pack = (bytes: Uint8Array): Uint8Array => (compress ? gzipSync(bytes, { level: GZIP_LEVEL }) : bytes.slice())
  const page = pack(chunk.page)
  const buffers: Array<Uint8Array> = []
  let uncompressed = 0
  let dictionaryBytes = 0
  if (chunk.dictionary !== undefined) {
    const dictionary = pack(chunk.dictionary.bytes)
    const header = pageHeader(
      PAGE.DICTIONARY,
      chunk.dictionary.bytes.length,
      dictionary.length,
      field(7, T_STRUCT, struct(i32(1, chunk.dictionary.count), i32(2, ENCODING.PLAIN_DICTIONARY), field(3, T_TRUE, false)))
    )
    buffers.push(header, dictionary)
    dictionaryBytes = header.length + dictionary.length
    uncompressed += header.length + chunk.dictionary.bytes.length
  }
  const valueEncoding = chunk.dictionary === undefined ? ENCODING.PLAIN : ENCODING.PLAIN_DICTIONARY
  const header = pageHeader(
    PAGE.DATA,
    chunk.page.length,
    page.length,
    field(5, T_STRUCT, struct(i32(1, chunk.levels), i32(2, valueEncoding), i32(3, ENCODING.RLE), i32(4, ENCODING.RLE)))
  )
  buffers.push(header, page)
  uncompressed += header.length + chunk.page.length
  const compressed = dictionaryBytes + header.length + page.length
  const path = isList(column.kind) ? [column.name, "list", "element"] : [column.name]
  const encodings = chunk.dictionary === undefined ? [ENCODING.PLAIN, ENCODING.RLE] : [ENCODING.PLAIN_DICTIONARY, ENCODING.RLE]
  const statistics = struct(
    i64(3, chunk.nullCount),
    chunk.max === undefined ? undefined : field(5, T_BINARY, chunk.max),
    chunk.min === undefined ? undefined : field(6, T_BINARY, chunk.min)
  )
  return {
    buffers,
    compressed,
    uncompressed,
    metadata: (start) =>
      struct(
        i64(2, start),
        field(
          3,
          T_STRUCT,
          struct(
            i32(1, leaf.physical),
            list(2, T_I32, encodings),
            list(3, T_BINARY, path.map((part) => new TextEncoder().encode(part))),
            i32(4, compress ? CODEC.GZIP : CODEC.UNCOMPRESSED),
            i64(5, chunk.levels),
            i64(6, uncompressed),
            i64(7, compressed),
            i64(9, start + dictionaryBytes),
            dictionaryBytes === 0 ? undefined : i64(11, start),
            field(12, T_STRUCT, statistics)
          )
        )
      )
  }
}

const leaves = new Leaves()
const scratch = new ChunkScratch()

/**
 * `columns` (each `rows` long) as a Parquet file at `path`: one row group, none when `rows` is
 * 0. Synchronous: it runs on the part writer's own thread (see `part-writer.ts`), where
 * nothing else waits.
 */
export const writeParquetFile = (path: string, columns: ReadonlyArray<ColumnImage>, rows: number): void => {
  const chunks = rows === 0 ? [] : columns.map((column) => compressChunk(column, encodeChunk(gatherLeaves(leaves, column, rows), scratch)))
  const buffers: Array<Uint8Array> = [MAGIC]
  const placed: Array<ThriftValue> = []
  let offset = MAGIC.length
  let uncompressed = 0
  for (const chunk of chunks) {
    placed.push(chunk.metadata(offset))
    buffers.push(...chunk.buffers)
    offset += chunk.compressed
    uncompressed += chunk.uncompressed
  }
  const leafCount = columns.length
  const rowGroups =
    rows === 0 ? [] : [struct(list(1, T_STRUCT, placed), i64(2, uncompressed), i64(3, rows), i64(5, MAGIC.length), i64(6, offset - MAGIC.length), field(7, T_I16, 0))]
  const footer = encodeStruct(
    struct(
      i32(1, 1),
      list(2, T_STRUCT, schemaOf(columns)),
      i64(3, rows),
      list(4, T_STRUCT, rowGroups),
      text(6, "hashhound"),
      list(7, T_STRUCT, Array.from({ length: leafCount }, () => struct(field(1, T_STRUCT, struct()))))
    )
  )
  const length = new Uint8Array(4)
  new DataView(length.buffer).setUint32(0, footer.length, true)
  buffers.push(footer, length, MAGIC)
  const fd = openSync(path, "w")
  try {
    writevSync(fd, buffers)
  } finally {
    closeSync(fd)
  }
}
