#!/usr/bin/env node
// `npm run bench`: the benchmark harness. Sources are TypeScript, loaded through tsx's ESM hook
// (as packages/cli/bin/hashhound.mjs does). See docs/benchmarks.md and `npm run bench -- --help`.
import { register } from "tsx/esm/api"

register()
await import("./src/main.ts")
