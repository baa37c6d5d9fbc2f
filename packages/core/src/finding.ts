/**
 * Findings: what a source or QC check has to say about the data, as values.
 *
 * Holds: the Finding record (a corrupt record, a truncated packet, a QC threshold crossed),
 * its severity and helpers to make and count them.
 * Does not hold: errors that stop a run (see `errors.ts`).
 */
import { Schema } from "effect"

export const Severity = Schema.Literal("info", "warn", "fail")
export type Severity = typeof Severity.Type

export class Finding extends Schema.Class<Finding>("Finding")({
  /** plugin id that reported it: `source.pcap`, `qc.volume` */
  source: Schema.String,
  /** machine-readable reason: `corrupt_record`, `truncated_packet`, `skipped_link_type`, `threshold` */
  code: Schema.String,
  severity: Severity,
  message: Schema.String,
  capture: Schema.optional(Schema.String),
  /** byte offset in the input, for damage */
  offset: Schema.optional(Schema.Number),
  batch: Schema.optional(Schema.Number),
  /** how many occurrences this finding stands for */
  count: Schema.optional(Schema.Number),
  metric: Schema.optional(Schema.String),
  value: Schema.optional(Schema.Number),
  threshold: Schema.optional(Schema.Number)
}) {}

export const FindingJson = Schema.parseJson(Schema.Array(Finding))

export const finding = (fields: ConstructorParameters<typeof Finding>[0]): Finding => new Finding(fields)

/** Worst severity in a list (info when empty). */
export const worstSeverity = (findings: ReadonlyArray<Finding>): Severity =>
  findings.some((f) => f.severity === "fail") ? "fail" : findings.some((f) => f.severity === "warn") ? "warn" : "info"
