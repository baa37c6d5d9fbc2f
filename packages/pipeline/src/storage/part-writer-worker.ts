/**
 * The export part writer's thread: each message is one part (its path, format, row count and
 * column images, views of one buffer moved here, not copied); each answer says it is written or
 * why not, and moves the buffer back; the first message out says the module is loaded. Started
 * by `PartWriter` (`part-writer.ts`).
 *
 * Holds: the message loop only. Does not hold: encoding (see `part-files.ts`).
 */
import { parentPort } from "node:worker_threads"
import { writePartFile, type PartDone, type PartRequest, type PartWriterReady } from "./part-files.js"

parentPort?.on("message", (request: PartRequest) => {
  let answer: PartDone
  try {
    writePartFile(request.path, request.format, request.columns, request.rows, request.append)
    answer = { id: request.id, buffer: request.buffer }
  } catch (error) {
    answer = { id: request.id, buffer: request.buffer, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(answer, [request.buffer])
})

// parts come only after this: until then the writer writes them on its own thread
const ready: PartWriterReady = { ready: true }
parentPort?.postMessage(ready)
