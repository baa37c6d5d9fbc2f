/**
 * `npx tsx tools/features-doc/generate.ts`: writes docs/features.md and the feature tables of the
 * feature groups' READMEs from the plugins' declarations (see docs-render.ts).
 *
 * Holds: the script entry (writes each file whose content changed, prints what it did).
 * Does not hold: rendering (docs-render.ts, and the CLI's features command).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { renderFeatureDocs } from "./docs-render.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

const program = Effect.gen(function* () {
  const files = yield* renderFeatureDocs(root)
  for (const file of files) {
    const path = join(root, file.path)
    const old = yield* Effect.promise(() => readFile(path, "utf8").catch(() => undefined))
    if (old === file.content) {
      yield* Effect.log(`unchanged ${file.path}`)
      continue
    }
    yield* Effect.promise(() => mkdir(dirname(path), { recursive: true }))
    yield* Effect.promise(() => writeFile(path, file.content))
    yield* Effect.log(`wrote ${file.path}`)
  }
})

Effect.runPromise(program).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
