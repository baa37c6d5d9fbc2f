/**
 * `sequence: true`: the files of `paths` are the pieces of one capture (a rotating capture's
 * files: tcpdump `-C`/`-G`/`-W`, dumpcap `-b`), planned as one unit and metered as one capture,
 * so a flow that crosses from one file into the next stays one flow.
 *
 * Holds: `joinPieces` (the planned files → one unit: pieces in the order of their first packets,
 * the unit named after the first, its fingerprint made of every piece's, its size their sum).
 * Does not hold: finding the files (`planFiles`) or reading the pieces (the flow meter's session).
 */
import type { SourceUnit } from "@hashhound/core"
import { orderPieces } from "@hashhound/flowmeter"
import { Effect } from "effect"
import { createHash } from "node:crypto"

export const joinPieces = (units: ReadonlyArray<SourceUnit>): Effect.Effect<ReadonlyArray<SourceUnit>> =>
  units.length < 2
    ? Effect.succeed(units)
    : Effect.map(
        Effect.promise(() => orderPieces(units.map((unit) => unit.path ?? unit.id))),
        (ordered) => {
          const byPath = new Map(units.map((unit) => [unit.path ?? unit.id, unit]))
          const pieces = ordered.map((piece) => byPath.get(piece.path)!)
          const hash = createHash("sha256")
          for (const piece of pieces) hash.update(`${piece.id}\u0000${piece.fingerprint}\n`)
          const first = pieces[0]!
          return [
            {
              id: first.id,
              ...(first.path === undefined ? {} : { path: first.path }),
              paths: pieces.map((piece) => piece.path ?? piece.id),
              fingerprint: `pieces:${pieces.length}:${hash.digest("hex")}`,
              sizeBytes: pieces.reduce((sum, piece) => sum + (piece.sizeBytes ?? 0), 0)
            }
          ]
        }
      )
