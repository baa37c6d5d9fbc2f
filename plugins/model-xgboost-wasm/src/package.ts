/**
 * Loading the optional `ml-xgboost` package (XGBoost compiled to WebAssembly) at run time.
 *
 * Holds: the structural types of the parts of its API this plugin uses (a booster class with
 * `train`, `predict`, `toJSON`, `free` and static `load`), `packageInstalled` and `loadPackage`.
 * The package's main export is a Promise of the class (the WebAssembly module initialises
 * asynchronously); both that and a plain export are accepted. A missing package is a
 * PluginError telling the user to install it.
 * Does not hold: any use of the booster (`stage.ts`).
 */
import { createRequire } from "node:module"
import { PluginError } from "@hashhound/core"
import { Effect } from "effect"

export const PACKAGE = "ml-xgboost"
export const PLUGIN_ID = "model.xgboost-wasm"

export interface BoosterInstance {
  readonly train: (x: Array<Array<number>>, y: Array<number>) => void
  readonly predict: (x: Array<Array<number>>) => Array<number>
  readonly toJSON: () => unknown
  readonly free: () => void
}

export interface BoosterClass {
  new (options: Record<string, unknown>): BoosterInstance
  readonly load: (model: unknown) => BoosterInstance
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export const packageInstalled = (): boolean => {
  try {
    createRequire(import.meta.url).resolve(PACKAGE)
    return true
  } catch {
    return false
  }
}

const isBoosterClass = (value: unknown): value is BoosterClass =>
  typeof value === "function" && typeof (value as { load?: unknown }).load === "function"

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function"

const failure = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason })

/** The booster class, once the WebAssembly module is ready, or a PluginError saying how to get it. */
export const loadPackage: Effect.Effect<BoosterClass, PluginError> = Effect.flatMap(
  Effect.tryPromise({
    try: () => import(/* @vite-ignore */ PACKAGE) as Promise<unknown>,
    catch: (error) => failure(`install ${PACKAGE} to use ${PLUGIN_ID} (npm install ${PACKAGE}); importing it failed: ${describe(error)}`)
  }),
  (module) =>
    Effect.tryPromise({
      try: async () => {
        for (const candidate of [(module as { default?: unknown }).default, module]) {
          const value: unknown = isThenable(candidate) ? await candidate : candidate
          if (isBoosterClass(value)) return value
        }
        return undefined
      },
      catch: (error) => failure(`${PACKAGE} failed to initialise its WebAssembly module: ${describe(error)}`)
    }).pipe(
      Effect.flatMap((booster) =>
        booster === undefined
          ? Effect.fail(failure(`${PACKAGE} does not export a booster class with a static load(); this plugin is written against ml-xgboost 1.1`))
          : Effect.succeed(booster)
      )
    )
)
