/**
 * @hashhound/flowmeter: capture files and flows.
 *
 * Holds the public surface: file planning and text lines (`files`), the capture reader and
 * flow meter as Effect streams (in this thread, on worker threads, or whichever fits), the
 * meter options and columns, container detection, app hints (`hints/`), the pcap writer
 * (`writer/`), and the shared parts of the text flow-export sources (`exports/`: cell parsing,
 * FlowSink batching, the line loop).
 * Does not hold: plugins (the `source.pcap` plugin and others build on this package).
 */
export * from "./files.js"
export * from "./options.js"
export * from "./capture-stream.js"
export { captureEventsInWorker, captureEventsParallel, maxCaptureWorkers } from "./worker/worker-stream.js"
export { CaptureSession } from "./session.js"
export { orderPieces, type CaptureInput, type OrderedPiece } from "./capture/pieces.js"
export { FLOWMETER_COLUMNS } from "./meter/flow-rows.js"
export { describeUnread, sniffContainer, type Container } from "./capture/format.js"
export { inspectCapture, type CaptureKind } from "./capture/open-capture.js"
export * from "./hints/index.js"
export * from "./writer/index.js"
export * from "./exports/index.js"
