#!/usr/bin/env node
// The `hashhound` command. It runs the esbuild bundle of src/main.ts in ../dist, building it first
// when it is missing or older than the sources (see bundle.mjs). HASHHOUND_FROM_SOURCE=1, or a
// bundle that cannot be built, runs the TypeScript sources through tsx's ESM hook instead.
// HASHHOUND_DEBUG=1 also turns on source maps, so that stack traces name the bundle's sources.
const fromSource = async () => {
  const { register } = await import("tsx/esm/api")
  register()
  await import("../src/main.ts")
}

// the bundle is minified: a debugging run's stack traces name the sources through its source maps
if (process.env.HASHHOUND_DEBUG === "1") process.setSourceMapsEnabled(true)

const forced = process.env.HASHHOUND_FROM_SOURCE
if (forced !== undefined && forced !== "" && forced !== "0") await fromSource()
else {
  const { bundledMain } = await import("./bundle.mjs")
  const bundle = await bundledMain()
  if (bundle.url !== undefined) await import(bundle.url)
  else {
    process.stderr.write(`hashhound: ${bundle.note}; running from source\n`)
    await fromSource()
  }
}
