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
import { plugins as qcVolume } from "@hashhound/plugin-qc-volume"
import { plugins as qcTimestamps } from "@hashhound/plugin-qc-timestamps"
import { plugins as qcDuplicates } from "@hashhound/plugin-qc-duplicates"
import { plugins as qcSchema } from "@hashhound/plugin-qc-schema"
import { plugins as qcParse } from "@hashhound/plugin-qc-parse"
import { plugins as qcDrift } from "@hashhound/plugin-qc-drift"
import { plugins as qcLabels } from "@hashhound/plugin-qc-labels"
import { plugins as modelGbdt } from "@hashhound/plugin-model-gbdt"
import { plugins as modelRandomForest } from "@hashhound/plugin-model-random-forest"
import { plugins as modelLogistic } from "@hashhound/plugin-model-logistic"
import { plugins as modelMlRandomForest } from "@hashhound/plugin-model-ml-random-forest"
import { plugins as modelXgboostWasm } from "@hashhound/plugin-model-xgboost-wasm"
import { plugins as reportQcHtml } from "@hashhound/plugin-report-qc-html"
import { plugins as reportEvaluationHtml } from "@hashhound/plugin-report-evaluation-html"
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
  { source: "@hashhound/plugin-qc-volume", plugins: qcVolume },
  { source: "@hashhound/plugin-qc-timestamps", plugins: qcTimestamps },
  { source: "@hashhound/plugin-qc-duplicates", plugins: qcDuplicates },
  { source: "@hashhound/plugin-qc-schema", plugins: qcSchema },
  { source: "@hashhound/plugin-qc-parse", plugins: qcParse },
  { source: "@hashhound/plugin-qc-drift", plugins: qcDrift },
  { source: "@hashhound/plugin-qc-labels", plugins: qcLabels },
  { source: "@hashhound/plugin-model-gbdt", plugins: modelGbdt },
  { source: "@hashhound/plugin-model-random-forest", plugins: modelRandomForest },
  { source: "@hashhound/plugin-model-logistic", plugins: modelLogistic },
  { source: "@hashhound/plugin-model-ml-random-forest", plugins: modelMlRandomForest },
  { source: "@hashhound/plugin-model-xgboost-wasm", plugins: modelXgboostWasm },
  { source: "@hashhound/plugin-report-qc-html", plugins: reportQcHtml },
  { source: "@hashhound/plugin-report-evaluation-html", plugins: reportEvaluationHtml },
  // generator: plugin list above
]

export const builtinRegistryLayer = registryLayer(builtinPlugins)
