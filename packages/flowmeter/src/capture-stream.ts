/**
 * The Effect edge of the capture reader: one capture as a Stream of SourceEvents.
 *
 * Holds: `captureEvents` (in-thread; the session is opened and closed as a scoped resource,
 * each pull is one chunk's worth of events) and `toCaptureError`, which keeps InputErrors and
 * turns anything unexpected into a PluginError naming the capture.
 * Does not hold: worker threads (see `worker/`), parsing or metering.
 */
import { InputError, PluginError, type ResumePoint, type SourceEvent } from "@hashhound/core"
import { Chunk, Effect, Option, Stream } from "effect"
import { inputLabel, type CaptureInput } from "./capture/pieces.js"
import type { FlowMeterOptions } from "./options.js"
import { CaptureSession } from "./session.js"

export const toCaptureError =
  (path: string, pluginId = "source.pcap") =>
  (error: unknown): InputError | PluginError =>
    error instanceof InputError || error instanceof PluginError
      ? error
      : new PluginError({
          pluginId,
          stage: "reading",
          input: path,
          reason: `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
        })

/**
 * Read one capture (pcap, pcapng, gzip'd either; one file or the pieces of one capture, in
 * order) into batches and findings, in this thread.
 */
export const captureEvents = (
  input: CaptureInput,
  options: FlowMeterOptions = {},
  resume?: ResumePoint
): Stream.Stream<SourceEvent, InputError | PluginError> => {
  const toError = toCaptureError(inputLabel(input), options.findingSource)
  return Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => CaptureSession.open(input, options, resume), catch: toError }),
        (session) => Effect.promise(() => session.close())
      ),
      (session) =>
        Stream.repeatEffectChunkOption(
          Effect.tryPromise({ try: () => session.pull(), catch: toError }).pipe(
            Effect.mapError(Option.some),
            Effect.flatMap((events) =>
              events === null ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(events))
            )
          )
        )
    )
  )
}
