/**
 * The built-in plugins: one explicit list, no registration by import side effect.
 *
 * Holds: the list and the registry layer the commands use (built-ins plus the third-party
 * packages a pipeline names under `plugins:`, which `@hashhound/pipeline` loads).
 * Does not hold: plugin code. `nx g @hashhound/tools:plugin` inserts new plugins above the markers.
 */
import { registryLayer, type AnyPlugin } from "@hashhound/core"
// generator: plugin imports above

export const builtinPlugins: ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }> = [
  // generator: plugin list above
]

export const builtinRegistryLayer = registryLayer(builtinPlugins)
