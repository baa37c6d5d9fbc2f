/**
 * A tiny third-party plugin package, as an outside author would publish it: plain JavaScript,
 * importing only @hashhound/core and effect, exporting `plugins`. Used by the pipeline config
 * tests (`plugins: ["./third-party-plugin"]`); not a built-in.
 */
import { definePlugin, readNumeric } from "@hashhound/core"
import { Effect, Schema } from "effect"

export const byteRatio = definePlugin({
  id: "features.byte-ratio",
  kind: "features",
  version: "0.1.0",
  summary: "Ratio of forward to backward IP bytes per flow",
  config: Schema.Struct({
    smoothing: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 1 }).annotations({
      description: "added to both byte counts before dividing"
    })
  }),
  requires: ["fwd_bytes", "bwd_bytes"],
  provides: ["byte_ratio"],
  make: (config) =>
    Effect.succeed({
      features: [
        {
          name: "byte_ratio",
          unit: "ratio",
          dtype: "float64",
          description: "(fwd_bytes + smoothing) / (bwd_bytes + smoothing)",
          requires: ["fwd_bytes", "bwd_bytes"]
        }
      ],
      computation: {
        _tag: "batch",
        compute: (batch) =>
          Effect.sync(() => {
            const fwd = readNumeric(batch, "fwd_bytes")
            const bwd = readNumeric(batch, "bwd_bytes")
            const out = new Float64Array(batch.numRows).fill(Number.NaN)
            if (fwd && bwd) for (let row = 0; row < out.length; row++) out[row] = (fwd[row] + config.smoothing) / (bwd[row] + config.smoothing)
            return { byte_ratio: out }
          })
      }
    })
})

export const plugins = [byteRatio]
