/**
 * `qc.parse`: how much of the input the source could not read, from the source's own findings.
 *
 * Holds: the config Schema (`warn` / `fail` threshold maps, `codes` per category), the plugin
 * manifest and the plugin list. `check` reports nothing; `finish` counts the source's findings
 * by category over the dataset, judges counts and shares (truncated packets over all packets,
 * evicted flows over all flows, read from the stored dataset only when a share is judged) and
 * reports the counts per capture as info findings.
 * Does not hold: the counting (`tally.ts`).
 */
import { checkThreshold, countKey, definePlugin, metricFinding, shareKey, type AnyPlugin, type DatasetAccess, type Finding, type QcStage, type ThresholdMap } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { addTotals, CATEGORIES, DEFAULT_CODES, tallyFindings, topCaptures, type Category, type ParseTally, type Totals } from "./tally.js"

export const PLUGIN_ID = "qc.parse"

interface Defaults {
  readonly corrupt_records_above: number | null
  readonly truncated_packets_above: number | null
  readonly truncated_share_above: number | null
  readonly skipped_link_type_frames_above: number | null
  readonly evicted_flows_above: number | null
  readonly evicted_share_above: number | null
}

const thresholdFields = (d: Defaults) =>
  Schema.Struct({
    /** damaged records, rows or headers the source skipped */
    corrupt_records_above: countKey(d.corrupt_records_above),
    /** packets captured shorter than they were (snaplen) */
    truncated_packets_above: countKey(d.truncated_packets_above),
    /** truncated packets over all packets of the dataset's flows */
    truncated_share_above: shareKey(d.truncated_share_above),
    /** frames of link types the reader does not decode */
    skipped_link_type_frames_above: countKey(d.skipped_link_type_frames_above),
    /** flows ended early because the flow table was full */
    evicted_flows_above: countKey(d.evicted_flows_above),
    /** evicted flows over all flows */
    evicted_share_above: shareKey(d.evicted_share_above)
  })

export const ParseWarn = thresholdFields({
  corrupt_records_above: 0,
  truncated_packets_above: null,
  truncated_share_above: 0.01,
  skipped_link_type_frames_above: 0,
  evicted_flows_above: 0,
  evicted_share_above: null
})
export const ParseFail = thresholdFields({
  corrupt_records_above: 100,
  truncated_packets_above: null,
  truncated_share_above: null,
  skipped_link_type_frames_above: null,
  evicted_flows_above: null,
  evicted_share_above: null
})

const Codes = Schema.Array(Schema.String.pipe(Schema.minLength(1)))

export const ParseCodes = Schema.Struct({
  corrupt: Schema.optionalWith(Codes, { default: () => [...DEFAULT_CODES.corrupt] }),
  truncated: Schema.optionalWith(Codes, { default: () => [...DEFAULT_CODES.truncated] }),
  skipped_link_type: Schema.optionalWith(Codes, { default: () => [...DEFAULT_CODES.skipped_link_type] }),
  evicted: Schema.optionalWith(Codes, { default: () => [...DEFAULT_CODES.evicted] })
})

export const ParseConfig = Schema.Struct({
  warn: Schema.optionalWith(ParseWarn, { default: () => Schema.decodeSync(ParseWarn)({}) }),
  fail: Schema.optionalWith(ParseFail, { default: () => Schema.decodeSync(ParseFail)({}) }),
  /** which source finding codes count in which category */
  codes: Schema.optionalWith(ParseCodes, { default: () => Schema.decodeSync(ParseCodes)({}) })
})
export type ParseConfig = typeof ParseConfig.Type

const WORDS: Readonly<Record<Category, { readonly metric: string; readonly what: string; readonly count: string; readonly share?: string }>> = {
  corrupt: { metric: "corrupt_records", what: "corrupt records", count: "corrupt_records_above" },
  truncated: { metric: "truncated_packets", what: "truncated packets", count: "truncated_packets_above", share: "truncated_share_above" },
  skipped_link_type: { metric: "skipped_link_type_frames", what: "frames of skipped link types", count: "skipped_link_type_frames_above" },
  evicted: { metric: "evicted_flows", what: "flows evicted early", count: "evicted_flows_above", share: "evicted_share_above" }
}

const needsTotals = (warn: ThresholdMap, fail: ThresholdMap, tally: ParseTally): boolean =>
  (tally.total.truncated > 0 && (typeof warn["truncated_share_above"] === "number" || typeof fail["truncated_share_above"] === "number")) ||
  (tally.total.evicted > 0 && (typeof warn["evicted_share_above"] === "number" || typeof fail["evicted_share_above"] === "number"))

/** Findings from the tally (and the dataset's totals when a share is judged). */
export const parseFindings = (config: ParseConfig, tally: ParseTally, totals: Totals | undefined): ReadonlyArray<Finding> => {
  const out: Array<Finding> = []
  for (const category of CATEGORIES) {
    const words = WORDS[category]
    const total = tally.total[category]
    for (const [capture, n] of [...tally.byCapture[category]].sort((x, y) => x[0].localeCompare(y[0])))
      out.push(metricFinding(PLUGIN_ID, { metric: words.metric, value: n, what: words.what, count: n, ...(capture === "(no capture)" ? {} : { capture }) }))
    if (total === 0) continue
    const where = `(${topCaptures(tally.byCapture[category])})`
    const judged = [...checkThreshold(PLUGIN_ID, words.count, config.warn, config.fail, { metric: words.metric, value: total, what: words.what, count: total, detail: where })]
    const denominator = category === "truncated" ? totals?.packets : totals?.flows
    if (words.share !== undefined && denominator !== undefined && denominator > 0)
      judged.push(
        ...checkThreshold(PLUGIN_ID, words.share, config.warn, config.fail, {
          metric: `${words.metric}_share`,
          value: total / denominator,
          what: `${words.what}, share`,
          count: total,
          detail: `(${total} of ${denominator} ${category === "truncated" ? "packets" : "flows"}; ${topCaptures(tally.byCapture[category])})`
        })
      )
    const worst = judged.find((f) => f.severity === "fail") ?? judged[0]
    if (worst !== undefined) out.push(worst)
  }
  for (const [code, n] of [...tally.other].sort((x, y) => x[0].localeCompare(y[0])))
    out.push(metricFinding(PLUGIN_ID, { metric: `other.${code}`, value: n, what: `source findings "${code}"`, count: n }, "uncategorised"))
  return out
}

const finish = (config: ParseConfig) => (access: DatasetAccess, sourceFindings: ReadonlyArray<Finding>) =>
  Effect.suspend(() => {
    const tally = tallyFindings(sourceFindings, config.codes)
    if (!needsTotals(config.warn, config.fail, tally)) return Effect.succeed(parseFindings(config, tally, undefined))
    const totals: Totals = { flows: 0, packets: 0 }
    return Stream.runForEach(access.read(access.dataset, ["fwd_packets", "bwd_packets"]), (batch) => Effect.sync(() => addTotals(totals, batch))).pipe(
      Effect.map(() => parseFindings(config, tally, totals))
    )
  })

export const parseQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.1.0",
  summary: "the source's damage findings (corrupt records, truncated packets, skipped link types, evicted flows) counted and judged",
  config: ParseConfig,
  requires: [],
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "flows",
      check: () => Effect.succeed([]),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [parseQc]
