/**
 * `sequence: true`: the files of `paths` are the pieces of captures cut by rotation (tcpdump
 * `-C`/`-G`/`-W`, dumpcap `-b`), one capture per folder: each folder's files are planned as one
 * unit and metered as one capture, so a flow that crosses from one file into the next stays one
 * flow, and two sensors' rotations kept in two folders stay two captures.
 *
 * Holds: `joinPieces` (the planned files → one unit per folder: pieces in the order of their
 * first packets, the unit named after the first, its fingerprint made of every piece's, its size
 * their sum; units in the order of their folders).
 * Does not hold: finding the files (`planFiles`) or reading the pieces (the flow meter's session).
 */
import type { SourceUnit } from "@hashhound/core"
import { orderPieces } from "@hashhound/flowmeter"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { dirname } from "node:path"

const pathOf = (unit: SourceUnit): string => unit.path ?? unit.id

/** One folder's files as one unit (a single file stays as it is). */
const joinFolder = (units: ReadonlyArray<SourceUnit>): Effect.Effect<SourceUnit> =>
  units.length === 1
    ? Effect.succeed(units[0]!)
    : Effect.map(
        Effect.promise(() => orderPieces(units.map(pathOf))),
        (ordered) => {
          const byPath = new Map(units.map((unit) => [pathOf(unit), unit]))
          const pieces = ordered.map((piece) => byPath.get(piece.path)!)
          const hash = createHash("sha256")
          for (const piece of pieces) hash.update(`${piece.id}\u0000${piece.fingerprint}\n`)
          const first = pieces[0]!
          return {
            id: first.id,
            ...(first.path === undefined ? {} : { path: first.path }),
            paths: pieces.map(pathOf),
            fingerprint: `pieces:${pieces.length}:${hash.digest("hex")}`,
            sizeBytes: pieces.reduce((sum, piece) => sum + (piece.sizeBytes ?? 0), 0)
          }
        }
      )

export const joinPieces = (units: ReadonlyArray<SourceUnit>): Effect.Effect<ReadonlyArray<SourceUnit>> => {
  const folders = new Map<string, Array<SourceUnit>>()
  for (const unit of units) {
    const folder = dirname(pathOf(unit))
    const list = folders.get(folder)
    if (list === undefined) folders.set(folder, [unit])
    else list.push(unit)
  }
  return Effect.forEach([...folders.keys()].sort(), (folder) => joinFolder(folders.get(folder)!))
}
