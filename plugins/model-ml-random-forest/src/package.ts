/**
 * Loading the optional `ml-random-forest` package at run time.
 *
 * Holds: the structural types of the parts of its API this plugin uses (`RandomForestClassifier`
 * with `train`, `predictionValues`, `toJSON`, `featureImportance`, static `load`),
 * `packageInstalled` (can it be resolved from here?) and `loadPackage` (dynamic import, checked
 * shape; a missing package is a PluginError telling the user to install it).
 * Does not hold: any use of the classifier (`stage.ts`).
 */
import { PluginError } from "@hashhound/core"
import { resolvable } from "@hashhound/ml"
import { Effect } from "effect"

export const PACKAGE = "ml-random-forest"
export const PLUGIN_ID = "model.ml-random-forest"

/** ml-matrix's read access, as `predictionValues` returns it (rows × trees). */
export interface MatrixLike {
  readonly rows: number
  readonly columns: number
  readonly get: (row: number, column: number) => number
}

export interface ForestInstance {
  readonly train: (x: Array<Array<number>>, y: Array<number>) => void
  readonly predictionValues: (x: Array<Array<number>>) => MatrixLike
  readonly toJSON: () => unknown
  readonly featureImportance?: () => Array<number>
}

export interface ForestClass {
  new (options: Record<string, unknown>): ForestInstance
  readonly load: (model: unknown) => ForestInstance
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Can the package be resolved from this plugin? */
export const packageInstalled = (): boolean => resolvable(PACKAGE, import.meta.url)

const classOf = (module: unknown): ForestClass | undefined => {
  const candidates = [module, (module as { default?: unknown } | null)?.default]
  for (const candidate of candidates) {
    const value = (candidate as { RandomForestClassifier?: unknown } | null | undefined)?.RandomForestClassifier
    if (typeof value === "function" && typeof (value as { load?: unknown }).load === "function") return value as ForestClass
  }
  return undefined
}

/** The classifier class, or a PluginError saying how to get it. */
export const loadPackage: Effect.Effect<ForestClass, PluginError> = Effect.flatMap(
  Effect.tryPromise({
    try: () => import(/* @vite-ignore */ PACKAGE) as Promise<unknown>,
    catch: (error) =>
      new PluginError({
        pluginId: PLUGIN_ID,
        stage: "processing",
        reason: `install ${PACKAGE} to use ${PLUGIN_ID} (npm install ${PACKAGE}); importing it failed: ${describe(error)}`
      })
  }),
  (module) => {
    const forest = classOf(module)
    return forest === undefined
      ? Effect.fail(
          new PluginError({
            pluginId: PLUGIN_ID,
            stage: "processing",
            reason: `${PACKAGE} does not export RandomForestClassifier with a static load(); this plugin is written against ml-random-forest 2.x`
          })
        )
      : Effect.succeed(forest)
  }
)
