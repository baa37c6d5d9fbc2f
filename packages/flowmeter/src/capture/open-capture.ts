/**
 * Opening a capture: magic-number detection (through gzip), refusal of what is not a capture,
 * and the byte source positioned where reading starts.
 *
 * Holds: `inspectCapture` (what the file holds, or an InputError with a clear reason),
 * `recordsStart` and `parserFor` (where a capture's records begin, and the parser that reads
 * them), `openSource` (plain or gzip source from an offset) and `readRanges` (bytes at given
 * offsets of the decompressed content, for app-hint replay on resume).
 * Does not hold: record parsing.
 */
import { promises as fs } from "node:fs"
import { InputError } from "@hashhound/core"
import { errorText } from "../files.js"
import { gunzipHead, openGunzip } from "../gzip-stream.js"
import { openGzipSource, openPlainSource, type ByteSource } from "./byte-window.js"
import { pcapHeader, sniffContainer, ZSTD_REFUSAL, type PcapHeader } from "./format.js"
import type { CaptureParser, DamageSink } from "./packet.js"
import { PcapParser } from "./pcap-parser.js"
import { PcapngParser } from "./pcapng-parser.js"

export type CaptureKind =
  | { readonly _tag: "pcap"; readonly header: PcapHeader; readonly gzip: boolean }
  | { readonly _tag: "pcapng"; readonly gzip: boolean }
  /** nothing to read (0 bytes, or a header cut short) */
  | { readonly _tag: "empty"; readonly gzip: boolean; readonly cutShort: number }

const readRawHead = async (path: string, bytes: number): Promise<Buffer> => {
  const handle = await fs.open(path, "r").catch((error: unknown) => {
    throw new InputError({ path, reason: `cannot open: ${errorText(error)}` })
  })
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buf, 0, bytes, 0)
    return buf.subarray(0, bytesRead)
  } catch (error) {
    throw new InputError({ path, reason: `cannot read: ${errorText(error)}` })
  } finally {
    await handle.close()
  }
}

/** What a file holds; fails with InputError for anything that is not a (gzip'd) pcap/pcapng. */
export const inspectCapture = async (path: string): Promise<CaptureKind> => {
  const raw = await readRawHead(path, 64)
  const outer = sniffContainer(raw)
  if (outer._tag === "zstd") {
    throw new InputError({ path, reason: ZSTD_REFUSAL })
  }
  const gzip = outer._tag === "gzip"
  // a stream that breaks inside the header leaves a head too short for any format: refused below
  const head = gzip ? (await gunzipHead(path, 64)).head : raw
  const inner = gzip ? sniffContainer(head) : outer
  switch (inner._tag) {
    case "empty":
      return { _tag: "empty", gzip, cutShort: 0 }
    case "pcap": {
      const header = pcapHeader(head, inner.littleEndian, inner.nano, inner.modified)
      return header === undefined ? { _tag: "empty", gzip, cutShort: head.length } : { _tag: "pcap", header, gzip }
    }
    case "pcapng":
      return { _tag: "pcapng", gzip }
    case "gzip":
      throw new InputError({ path, reason: "gzip inside gzip: decompress the outer layer first" })
    case "zstd":
      throw new InputError({ path, reason: "zstd-compressed data inside gzip: not supported" })
    case "unknown":
      throw new InputError({
        path,
        reason: `not a pcap or pcapng capture${gzip ? " (inside gzip)" : ""}: the file looks like ${inner.looksLike}`
      })
  }
}

/** Where a capture's records begin: after the 24-byte pcap file header; pcapng is blocks from its first byte. */
export const recordsStart = (kind: CaptureKind): number => (kind._tag === "pcap" ? 24 : 0)

/** The parser for a capture's records, reporting damage to `sink`; undefined when there is nothing to read. */
export const parserFor = (kind: CaptureKind, sink: DamageSink): CaptureParser | undefined =>
  kind._tag === "pcap" ? new PcapParser(kind.header, sink) : kind._tag === "pcapng" ? new PcapngParser(sink) : undefined

export const openSource = (path: string, gzip: boolean, offset: number, chunkBytes: number): Promise<ByteSource> =>
  gzip ? openGzipSource(path, offset, chunkBytes) : openPlainSource(path, offset)

export interface ByteRange {
  readonly offset: number
  readonly length: number
}

/** Bytes at the given offsets of the (decompressed) content; a range past the end comes back short. */
export const readRanges = async (path: string, gzip: boolean, ranges: ReadonlyArray<ByteRange>): Promise<Array<Uint8Array>> => {
  const out: Array<Uint8Array> = ranges.map((r) => new Uint8Array(r.length))
  if (ranges.length === 0) return out
  if (!gzip) {
    const handle = await fs.open(path, "r")
    try {
      for (let i = 0; i < ranges.length; i++) {
        const { bytesRead } = await handle.read(out[i]!, 0, ranges[i]!.length, ranges[i]!.offset)
        if (bytesRead < ranges[i]!.length) out[i] = out[i]!.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
    return out
  }
  const last = Math.max(...ranges.map((r) => r.offset + r.length))
  const stream = openGunzip(path).stream
  let position = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const chunkEnd = position + chunk.length
      ranges.forEach((r, i) => {
        const from = Math.max(r.offset, position)
        const to = Math.min(r.offset + r.length, chunkEnd)
        if (from < to) out[i]!.set(chunk.subarray(from - position, to - position), from - r.offset)
      })
      position = chunkEnd
      if (position >= last) break
    }
  } finally {
    stream.destroy()
  }
  return out
}
