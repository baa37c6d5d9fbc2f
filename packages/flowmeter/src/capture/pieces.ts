/**
 * A capture cut into pieces: the files a rotating capture writes one after another (tcpdump
 * `-C`/`-G`/`-W`, dumpcap `-b`), read as one capture so that a flow crossing a file boundary is
 * metered once, not split in two with a wrong start.
 *
 * Holds: `CaptureInput` (one file, or the pieces of one capture in reading order), `piecesOf`,
 * `inputLabel` and `pieceName` (how errors and findings name them), `firstPacketTime` and
 * `orderPieces` (pieces sorted by the time of their first packet, the name as a tie-break, read
 * from each file's first MiB at most), and the position arithmetic: a position is a byte
 * offset counted over the pieces read so far (`starts[k]` is where piece k begins), so that the
 * meter's resume point and its hint replay log, which hold one number each, name a piece and
 * an offset in it.
 * Does not hold: reading the pieces (the session walks them) or deciding which files are pieces
 * of one capture (the user says so: `source.pcap sequence: true`, `hashhound flows --sequence`).
 */
import { basename } from "node:path"
import { ByteWindow, type ByteSource } from "./byte-window.js"
import { inspectCapture, openSource, parserFor, recordsStart, type CaptureKind } from "./open-capture.js"
import { PacketView, STEP_END, STEP_PACKET } from "./packet.js"

/** One capture file, or the pieces of one capture in the order they are read. */
export type CaptureInput = string | ReadonlyArray<string>

export const piecesOf = (input: CaptureInput): ReadonlyArray<string> => (typeof input === "string" ? [input] : input)

/** How errors name a capture: its file, or the first of its pieces and how many follow. */
export const inputLabel = (input: CaptureInput): string => {
  const pieces = piecesOf(input)
  return pieces.length === 1 ? (pieces[0] ?? "") : `${pieces[0] ?? ""} and ${pieces.length - 1} more piece(s)`
}

/** How the name of a piece is shown in findings. */
export const pieceName = basename

/** Bytes read from a piece at most when looking for its first timestamp. */
const FIRST_PACKET_BYTES = 1 << 20
/** The read size of that look (a window of this chunk is what `firstPacketTime` is given). */
export const PROBE_CHUNK = 64 << 10

/**
 * The first timestamp (µs) among the first MiB of a capture's packets, read through `w` and
 * `pkt` (reset and overwritten); undefined when there is none or the file cannot be read.
 */
export const firstPacketTime = async (path: string, kind: CaptureKind, w: ByteWindow, pkt: PacketView): Promise<number | undefined> => {
  const parser = parserFor(kind, { damage: () => undefined })
  if (parser === undefined) return undefined
  const start = recordsStart(kind)
  let source: ByteSource | undefined
  try {
    source = await openSource(path, kind.gzip, start, PROBE_CHUNK)
    w.reset(start)
    while (w.offset - start < FIRST_PACKET_BYTES) {
      const step = parser.next(w, pkt)
      if (step === STEP_PACKET) {
        if (Number.isFinite(pkt.tsUs)) return pkt.tsUs
        continue
      }
      if (step === STEP_END || w.eof) return undefined
      await w.fill(source)
    }
    return undefined
  } catch {
    // a piece that cannot be read is ordered by name; reading it reports why
    return undefined
  } finally {
    await w.settle()
    await source?.close()
  }
}

/** `firstPacketTime` of a file not inspected yet: undefined for one that is no capture or cannot be read (reading it says why). */
const firstTimeOf = async (path: string, w: ByteWindow, pkt: PacketView): Promise<number | undefined> => {
  const kind = await inspectCapture(path).catch(() => undefined)
  return kind === undefined ? undefined : firstPacketTime(path, kind, w, pkt)
}

export interface OrderedPiece {
  readonly path: string
  /** µs, when the piece has a timed packet in its first MiB */
  readonly firstUs: number | undefined
}

const byName = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true })

/**
 * The pieces in reading order: by their first packet's time; pieces with the same time, or
 * with none, by name with numbers compared as numbers (`x.pcap2` before `x.pcap10`), the
 * untimed ones last.
 */
export const orderPieces = async (paths: ReadonlyArray<string>): Promise<ReadonlyArray<OrderedPiece>> => {
  const w = new ByteWindow(PROBE_CHUNK, 0)
  const pkt = new PacketView()
  const pieces: Array<OrderedPiece> = []
  for (const path of paths) pieces.push({ path, firstUs: await firstTimeOf(path, w, pkt) })
  return pieces.sort((a, b) => {
    if (a.firstUs !== b.firstUs) {
      if (a.firstUs === undefined) return 1
      if (b.firstUs === undefined) return -1
      return a.firstUs - b.firstUs
    }
    return byName(a.path, b.path)
  })
}

/** The piece a position lies in: the last one that starts at or before it. */
export const pieceAt = (starts: ReadonlyArray<number>, position: number): number => {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= position) lo = mid
    else hi = mid - 1
  }
  return lo
}
