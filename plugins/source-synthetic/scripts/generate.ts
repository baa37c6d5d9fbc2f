/**
 * Generate a scenario from the command line without the CLI package, and print the files,
 * packet and byte counts and the write speed:
 *
 *   npx tsx plugins/source-synthetic/scripts/generate.ts SCENARIO OUT_DIR [DURATION_S] [TIME_COMPRESSION] [SEED]
 *
 * SCENARIO is `lab`, `production` or a scenario YAML path.
 */
import { Effect } from "effect"
import { generateScenario } from "../src/generate/generate.js"

const [scenario, outDir, duration, compression, seed] = process.argv.slice(2)
if (scenario === undefined || outDir === undefined) {
  console.error("usage: generate.ts SCENARIO OUT_DIR [DURATION_S] [TIME_COMPRESSION] [SEED]")
  process.exit(2)
}
const started = performance.now()
const result = await Effect.runPromise(
  generateScenario({
    scenario,
    outDir,
    durationS: duration === undefined ? undefined : Number(duration),
    timeCompression: compression === undefined ? undefined : Number(compression),
    seed: seed === undefined ? undefined : Number(seed)
  }).pipe(Effect.either)
)
const seconds = (performance.now() - started) / 1000
if (result._tag === "Left") {
  console.error(result.left.message)
  process.exit(1)
}
const { captures, labels, packets, bytes } = result.right
console.log(JSON.stringify({ captures, labels, packets, bytes, seconds: Number(seconds.toFixed(2)), mb_per_s: Number((bytes / 1e6 / seconds).toFixed(1)) }, null, 2))
