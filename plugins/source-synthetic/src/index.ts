/**
 * @hashhound/plugin-source-synthetic: realistic synthetic mining and benign captures on demand.
 *
 * Holds: the `source.synthetic` plugin and the plugin list, and the generation API the CLI
 * uses (`generateScenario`), plus the scenario loader and built-in scenario names.
 * Does not hold: anything else; see the modules for the simulation itself.
 */
import type { AnyPlugin } from "@hashhound/core"
import { syntheticSource } from "./plugin.js"

export { generateScenario, type GenerateOptions, type GenerateResult } from "./generate/generate.js"
export { GENERATOR_VERSION } from "./generate/run-capture.js"
export { LABELS_HEADER, parseLabels, type LabelRow } from "./generate/labels.js"
export { BUILTIN_SCENARIOS, builtinScenarioPath, loadScenario } from "./scenario/load.js"
export { Scenario } from "./scenario/schema.js"
export { BEHAVIOUR_TYPES } from "./behaviours/registry.js"
export { SyntheticConfig, SYNTHETIC_COLUMNS, syntheticSource } from "./plugin.js"

export const plugins: ReadonlyArray<AnyPlugin> = [syntheticSource]
