/**
 * The stream of a text-export unit: lines from `textLines` (gzip transparent) go through a
 * format's line parser into a FlowSink, whose batches and findings come out as SourceEvents. A
 * gzip'd export whose stream breaks partway ends there with a `truncated_file` (or
 * `corrupt_record`) finding; every line before the break is read.
 *
 * Holds: the Effect wiring around the plain per-line loop, the LineParser contract, and
 * `readExportUnit` (a source unit read with a fresh FlowSink, resuming at its next batch).
 * Does not hold: any format knowledge (a flow-export source plugin supplies the LineParser),
 * nor the file reading itself (`textLines` in `../files.ts`).
 */
import { type InputError, type ResumePoint, type SourceEvent, type SourceUnit } from "@hashhound/core"
import { textLines, type TextLine } from "../files.js"
import { Chunk, Effect, Stream } from "effect"
import { FlowSink } from "./flow-sink.js"

export interface LineParser {
  /** Read one line into the sink; an InputError stops the unit (the file is not this format). */
  readonly line: (line: TextLine) => InputError | undefined
  /** End of input: flush what is held back; an InputError when the file had no usable header. */
  readonly end: () => InputError | undefined
}

export const readLines = (path: string, sink: FlowSink, parser: LineParser): Stream.Stream<SourceEvent, InputError> =>
  textLines(path, (broke, offset, dropped) =>
    sink.finding(broke.code, "warn", dropped > 0 ? `${broke.text}; the ${dropped} bytes of the line it cuts are not read` : broke.text, { offset })
  ).pipe(
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

/** What `readExportUnit` needs to know besides the unit and its parser. */
export interface ExportUnitOptions {
  /** plugin id, named in findings */
  readonly pluginId: string
  /** catalogue columns every batch carries */
  readonly columns: ReadonlyArray<string>
  readonly batchFlows: number
}

/**
 * A source's `read` for one text-export unit: a FlowSink over the unit (batches before
 * `resume.nextBatch` are skipped), the format's parser made for that sink and the unit's file
 * (`unit.path`, else its id), and `readLines` over the file.
 */
export const readExportUnit = (
  unit: SourceUnit,
  resume: ResumePoint | undefined,
  options: ExportUnitOptions,
  makeParser: (sink: FlowSink, path: string) => LineParser
): Stream.Stream<SourceEvent, InputError> =>
  Stream.suspend(() => {
    const path = unit.path ?? unit.id
    const sink = new FlowSink({
      pluginId: options.pluginId,
      capture: unit.id,
      columns: options.columns,
      batchFlows: options.batchFlows,
      firstBatch: resume?.nextBatch ?? 0
    })
    return readLines(path, sink, makeParser(sink, path))
  })
