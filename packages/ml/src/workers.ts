/**
 * Starting worker threads whose code is TypeScript source (tests, `tsx`) or built JavaScript.
 *
 * Holds: `workerBootstrap`, the URL of the entry script (`worker-bootstrap.mjs`) to hand to
 * `new Worker(...)`, and `workerEntry`, the URL of a worker module beside the calling module
 * (`.ts` when the caller runs from source, `.js` when built) to pass as `workerData.entry`.
 * Does not hold: any worker protocol (shared buffers, messages: each model's own `threads.ts`).
 */

/** The script a worker thread starts with; it imports `workerData.entry`, registering tsx first for a `.ts` entry. */
export const workerBootstrap: URL = new URL("./worker-bootstrap.mjs", import.meta.url)

/**
 * The URL (href) of the worker module `name` (no extension) in the folder of `moduleUrl` (the
 * caller's `import.meta.url`): `name.ts` when the caller itself is a `.ts` file, `name.js` otherwise.
 */
export const workerEntry = (moduleUrl: string, name: string): string =>
  new URL(`./${name}${moduleUrl.endsWith(".ts") ? ".ts" : ".js"}`, moduleUrl).href
