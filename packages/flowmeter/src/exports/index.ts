/**
 * Shared parts of the text flow-export sources (`source.argus`, `source.zeek-conn`,
 * `source.nfdump-csv`, `source.cicflowmeter-csv`): cell parsing (`values.ts`), rows into
 * FlowBatch batches and findings (`flow-sink.ts`), and the line loop as an Effect stream
 * (`read-lines.ts`).
 *
 * Holds: re-exports only.
 * Does not hold: any export format's column layout or header detection (those stay in the
 * plugins), nor packet capture handling (the rest of this package).
 */
export * from "./values.js"
export * from "./flow-sink.js"
export * from "./read-lines.js"
