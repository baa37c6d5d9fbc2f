/**
 * `labeler.stratum`: payload evidence. A flow whose JSON-RPC method names (the flow meter's
 * `jsonrpc_methods` hint) form a pool-mining set is `mining`; every other flow gets no opinion.
 * It never says `benign`: not seeing Stratum is not evidence of innocence (encrypted pools,
 * flows cut before the login).
 *
 * Holds: the config Schema, the per-batch loop (one classification per distinct cell) and the
 * plugin list. Does not hold: the method families (`methods.ts`).
 */
import { definePlugin, readStrings, type AnyPlugin, type Label, type LabelerStage } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { classifyMethods, methodsDetail, type MethodSettings } from "./methods.js"

export const PLUGIN_ID = "labeler.stratum"

export const StratumConfig = Schema.Struct({
  /** distinct pool methods a flow needs before it is called mining */
  min_methods: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 32)), { default: () => 1 }),
  /** more method names that count as pool methods (a private pool protocol) */
  extra_methods: Schema.optionalWith(Schema.Array(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.]{1,64}$/))), {
    default: () => []
  })
})
export type StratumConfig = typeof StratumConfig.Type

export const stratumLabeler = definePlugin({
  id: PLUGIN_ID,
  kind: "labeler",
  version: "0.1.0",
  summary: "labels flows mining when their JSON-RPC methods are a pool protocol's (Stratum, XMRig, Ethereum getWork)",
  config: StratumConfig,
  requires: ["jsonrpc_methods"],
  provides: ["label", "label_detail"],
  make: (config) =>
    Effect.sync((): LabelerStage => {
      const settings: MethodSettings = { minMethods: config.min_methods, extraMethods: new Set(config.extra_methods) }
      return {
        label: (batch) =>
          Effect.sync(() => {
            const rows = batch.numRows
            const label = new Array<Label | null>(rows).fill(null)
            const detail = new Array<string | null>(rows).fill(null)
            const methods = readStrings(batch, "jsonrpc_methods")
            if (methods === undefined) return { label, detail }
            const seen = new Map<string, { readonly mining: boolean; readonly detail: string | null }>()
            for (let row = 0; row < rows; row++) {
              const cell = methods[row]
              if (cell === null || cell === undefined || cell === "") continue
              let verdict = seen.get(cell)
              if (verdict === undefined) {
                const classified = classifyMethods(cell, settings)
                verdict = { mining: classified.mining, detail: methodsDetail(classified, settings) }
                seen.set(cell, verdict)
              }
              if (verdict.mining) label[row] = "mining"
              detail[row] = verdict.detail
            }
            return { label, detail }
          })
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [stratumLabeler]
