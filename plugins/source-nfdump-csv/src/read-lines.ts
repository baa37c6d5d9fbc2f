/**
 * The stream of a text-export unit: lines from `textLines` (gzip transparent) go through a
 * format's line parser into a FlowSink, whose batches and findings come out as SourceEvents.
 *
 * Holds: the Effect wiring around the plain per-line loop, and the LineParser contract.
 * Does not hold: any format knowledge. Each flow-export plugin carries its own copy of this
 * module on purpose (plugins never import plugins); keep the copies identical.
 */
import { type InputError, type SourceEvent } from "@hashhound/core"
import { textLines, type TextLine } from "@hashhound/flowmeter"
import { Chunk, Effect, Stream } from "effect"
import type { FlowSink } from "./flow-sink.js"

export interface LineParser {
  /** Read one line into the sink; an InputError stops the unit (the file is not this format). */
  readonly line: (line: TextLine) => InputError | undefined
  /** End of input: flush what is held back; an InputError when the file had no usable header. */
  readonly end: () => InputError | undefined
}

export const readLines = (path: string, sink: FlowSink, parser: LineParser): Stream.Stream<SourceEvent, InputError> =>
  textLines(path).pipe(
    Stream.mapChunksEffect((lines) =>
      Effect.suspend(() => {
        for (const line of lines) {
          sink.bytesRead = line.offset
          const error = parser.line(line)
          if (error !== undefined) return Effect.fail(error)
        }
        return Effect.succeed(Chunk.unsafeFromArray(sink.drain().slice()))
      })
    ),
    Stream.concat(
      Stream.suspend(() => {
        const error = parser.end()
        if (error !== undefined) return Stream.fail(error)
        sink.end()
        return Stream.fromIterable(sink.drain())
      })
    )
  )
