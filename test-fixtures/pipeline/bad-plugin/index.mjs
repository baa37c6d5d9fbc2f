/**
 * A broken third-party plugin package for the pipeline config tests: one export is not a plugin
 * at all, one breaks the contract (camelCase config key, id not matching its kind).
 */
import { definePlugin } from "@hashhound/core"
import { Effect, Schema } from "effect"

const camel = definePlugin({
  id: "model.camel",
  kind: "features",
  version: "1.0",
  summary: "breaks the contract on purpose",
  config: Schema.Struct({ maxDepth: Schema.Number }),
  make: () => Effect.die("never built")
})

export const plugins = [{ id: "features.not-a-plugin", kind: "features" }, camel]
