/**
 * `labeler.ioc`: labels flows that touch listed indicators — addresses and prefixes (IPv4 and
 * IPv6), endpoints (address or domain + port), domains (TLS SNI, HTTP Host, DNS query name,
 * exact or as a parent domain) and ports — from plain-text or CSV lists, with optional
 * validity windows.
 *
 * Holds: the config Schema, the plugin manifest and the plugin list. Lists are read on first
 * use and kept; relative paths resolve from the stage context's `baseDir` when the runner passes
 * one as `label`'s third argument, else from the working folder. Validity windows are widened by
 * the run-wide `label_skew_s` the runner passes as `labelSkewS`.
 * Does not hold: list parsing (`indicators.ts`), matching (`ioc-index.ts`) or reading (`load-lists.ts`).
 */
import {
  definePlugin,
  type AnyPlugin,
  type BatchInfo,
  type FlowBatch,
  type LabelerContext,
  type LabelerStage,
  type PluginError,
  type StageContext
} from "@hashhound/core"
import { Effect, Schema } from "effect"
import { iocAnswer, type IocIndex } from "./ioc-index.js"
import { loadIndex, PLUGIN_ID } from "./load-lists.js"

export { PLUGIN_ID } from "./load-lists.js"

const LabelValue = Schema.Literal("mining", "benign", "unknown")

const ListEntryConfig = Schema.Union(
  Schema.String.pipe(Schema.minLength(1)),
  Schema.Struct({
    path: Schema.String.pipe(Schema.minLength(1)),
    /** auto (default), lines, typed_csv, endpoints */
    format: Schema.optional(Schema.Literal("auto", "lines", "typed_csv", "endpoints")),
    /** label of this list's indicators that carry none */
    label: Schema.optional(LabelValue)
  })
)

export const IocConfig = Schema.Struct({
  /** indicator files (paths relative to the pipeline file), or `{ path, format, label }` */
  lists: Schema.Array(ListEntryConfig).pipe(Schema.minItems(1)),
  /** label of indicators that carry none (a typed CSV `label` column or a list's `label` wins) */
  label: Schema.optionalWith(LabelValue, { default: () => "mining" as const }),
  /** label when the only matches are port indicators; null = no opinion (the detail still names them) */
  port_matches_label: Schema.optionalWith(Schema.NullOr(LabelValue), { default: () => null })
})
export type IocConfig = typeof IocConfig.Type

export const iocLabeler = definePlugin({
  id: PLUGIN_ID,
  kind: "labeler",
  version: "0.1.0",
  summary: "labels flows touching listed addresses, prefixes, endpoints, domains (SNI, HTTP Host, DNS) or ports",
  config: IocConfig,
  requires: ["src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "last_seen_us", "tls_sni", "http_host", "dns_qname"],
  provides: ["label", "label_detail"],
  make: (config) =>
    Effect.sync((): LabelerStage => {
      const loaded = new Map<string, IocIndex>()
      const indexFor = (context: StageContext | undefined): Effect.Effect<IocIndex, PluginError> => {
        const baseDir = context?.baseDir ?? process.cwd()
        const cached = loaded.get(baseDir)
        if (cached !== undefined) return Effect.succeed(cached)
        return Effect.tap(loadIndex(config.lists, baseDir, config.label), (index) => Effect.sync(() => loaded.set(baseDir, index)))
      }
      return {
        label: (batch: FlowBatch, _info: BatchInfo, context?: LabelerContext) =>
          Effect.map(indexFor(context), (index) =>
            iocAnswer(batch, index, { portMatchesLabel: config.port_matches_label, skewUs: Math.round((context?.labelSkewS ?? 0) * 1e6) })
          )
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [iocLabeler]
