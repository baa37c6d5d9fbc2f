/**
 * Loading the optional `ml-xgboost` package (XGBoost compiled to WebAssembly) at run time.
 *
 * Holds: the structural types of the parts of its API this plugin uses (a booster class with
 * `train`, `predict`, `toJSON`, `free` and static `load`), `packageInstalled` and `loadPackage`.
 * The package's CommonJS main export is a Promise of the class (the WebAssembly module initialises
 * asynchronously); it is loaded with `require`, not `import()`, because an ES import of a module
 * whose exports object is a Promise gives a namespace that is itself "thenable" and breaks under
 * vitest. A plain class export is accepted too. A missing package is a PluginError telling the
 * user to install it; a module that does not initialise within `INIT_TIMEOUT` is one too.
 * Node and the package's 2018 emscripten loader: when `WebAssembly.instantiateStreaming` exists
 * the loader calls `fetch()` on the .wasm file's path, which Node's fetch refuses ("Failed to
 * parse URL"), prints "wasm streaming compile failed" and only then falls back to reading the
 * file with `fs`. The loader builds its module object inside its own file, so `wasmBinary` cannot
 * be handed to it beforehand; instead `requireWithoutStreaming` hides `instantiateStreaming` for
 * the duration of the (synchronous) require, so the loader takes its Node path, `readBinary`
 * (`fs.readFileSync` of dist/wasm/xgboost.wasm), from the start.
 * Does not hold: any use of the booster (`stage.ts`).
 */
import { createRequire } from "node:module"
import { PluginError } from "@hashhound/core"
import { resolvable } from "@hashhound/ml"
import { Duration, Effect } from "effect"

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

/** Can the package be resolved from this plugin? */
export const packageInstalled = (): boolean => resolvable(PACKAGE, import.meta.url)

const isBoosterClass = (value: unknown): value is BoosterClass =>
  typeof value === "function" && typeof (value as { load?: unknown }).load === "function"

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function"

const failure = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason })

/** how long the WebAssembly module may take to initialise (it never settles if instantiation aborts) */
export const INIT_TIMEOUT = Duration.seconds(60)

/**
 * `require(PACKAGE)` with `WebAssembly.instantiateStreaming` hidden while the package's module
 * bodies run, so its emscripten loader reads the .wasm file with `fs` instead of `fetch()`. The
 * require is synchronous, so no other code can see the hidden property; it is put back in every
 * case.
 */
const requireWithoutStreaming = (): unknown => {
  // the WebAssembly global is not in this project's type libraries (no DOM lib), only its types
  const wasm = (globalThis as { readonly WebAssembly?: object }).WebAssembly
  const streaming = wasm === undefined ? undefined : Object.getOwnPropertyDescriptor(wasm, "instantiateStreaming")
  if (wasm !== undefined && streaming !== undefined) Reflect.deleteProperty(wasm, "instantiateStreaming")
  try {
    return createRequire(import.meta.url)(PACKAGE)
  } finally {
    if (wasm !== undefined && streaming !== undefined) Object.defineProperty(wasm, "instantiateStreaming", streaming)
  }
}

/** The booster class, once the WebAssembly module is ready, or a PluginError saying how to get it. */
export const loadPackage: Effect.Effect<BoosterClass, PluginError> = Effect.flatMap(
  Effect.try({
    try: requireWithoutStreaming,
    catch: (error) => failure(`install ${PACKAGE} to use ${PLUGIN_ID} (npm install ${PACKAGE}); loading it failed: ${describe(error)}`)
  }),
  (module) =>
    Effect.tryPromise({
      try: async () => {
        for (const candidate of [module, (module as { default?: unknown } | null)?.default]) {
          const value: unknown = isThenable(candidate) ? await candidate : candidate
          if (isBoosterClass(value)) return value
        }
        return undefined
      },
      catch: (error) => failure(`${PACKAGE} failed to initialise its WebAssembly module: ${describe(error)}`)
    }).pipe(
      Effect.timeoutFail({
        duration: INIT_TIMEOUT,
        onTimeout: () => failure(`${PACKAGE} did not initialise its WebAssembly module within ${Duration.format(INIT_TIMEOUT)}`)
      }),
      Effect.flatMap((booster) =>
        booster === undefined
          ? Effect.fail(failure(`${PACKAGE} does not export a booster class with a static load(); this plugin is written against ml-xgboost 1.1`))
          : Effect.succeed(booster)
      )
    )
)
