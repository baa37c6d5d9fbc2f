/**
 * The built-in plugins: one explicit list, no registration by import side effect.
 *
 * Holds: the list and the registry layer the commands use (built-ins plus the third-party
 * packages a pipeline names under `plugins:`, which `@hashhound/pipeline` loads).
 * Does not hold: plugin code. `nx g @hashhound/tools:plugin` inserts new plugins above the markers.
 */
import { registryLayer, type AnyPlugin } from "@hashhound/core"
import { plugins as sourcePcap } from "@hashhound/plugin-source-pcap"
import { plugins as sourceZeekConn } from "@hashhound/plugin-source-zeek-conn"
import { plugins as sourceArgus } from "@hashhound/plugin-source-argus"
import { plugins as sourceNfdumpCsv } from "@hashhound/plugin-source-nfdump-csv"
import { plugins as sourceCicflowmeterCsv } from "@hashhound/plugin-source-cicflowmeter-csv"
import { plugins as labelerScenario } from "@hashhound/plugin-labeler-scenario"
import { plugins as labelerIoc } from "@hashhound/plugin-labeler-ioc"
import { plugins as labelerStratum } from "@hashhound/plugin-labeler-stratum"
import { plugins as labelerDataset } from "@hashhound/plugin-labeler-dataset"
import { plugins as sourceSynthetic } from "@hashhound/plugin-source-synthetic"
import { plugins as featuresVolume } from "@hashhound/plugin-features-volume"
import { plugins as featuresDirection } from "@hashhound/plugin-features-direction"
import { plugins as featuresPorts } from "@hashhound/plugin-features-ports"
import { plugins as featuresTemporal } from "@hashhound/plugin-features-temporal"
import { plugins as featuresTcp } from "@hashhound/plugin-features-tcp"
import { plugins as featuresEarly } from "@hashhound/plugin-features-early"
// generator: plugin imports above

export const builtinPlugins: ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }> = [
  { source: "@hashhound/plugin-source-pcap", plugins: sourcePcap },
  { source: "@hashhound/plugin-source-zeek-conn", plugins: sourceZeekConn },
  { source: "@hashhound/plugin-source-argus", plugins: sourceArgus },
  { source: "@hashhound/plugin-source-nfdump-csv", plugins: sourceNfdumpCsv },
  { source: "@hashhound/plugin-source-cicflowmeter-csv", plugins: sourceCicflowmeterCsv },
  { source: "@hashhound/plugin-labeler-scenario", plugins: labelerScenario },
  { source: "@hashhound/plugin-labeler-ioc", plugins: labelerIoc },
  { source: "@hashhound/plugin-labeler-stratum", plugins: labelerStratum },
  { source: "@hashhound/plugin-labeler-dataset", plugins: labelerDataset },
  { source: "@hashhound/plugin-source-synthetic", plugins: sourceSynthetic },
  { source: "@hashhound/plugin-features-volume", plugins: featuresVolume },
  { source: "@hashhound/plugin-features-direction", plugins: featuresDirection },
  { source: "@hashhound/plugin-features-ports", plugins: featuresPorts },
  { source: "@hashhound/plugin-features-temporal", plugins: featuresTemporal },
  { source: "@hashhound/plugin-features-tcp", plugins: featuresTcp },
  { source: "@hashhound/plugin-features-early", plugins: featuresEarly },
  // generator: plugin list above
]

export const builtinRegistryLayer = registryLayer(builtinPlugins)
