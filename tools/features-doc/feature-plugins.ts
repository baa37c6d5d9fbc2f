/**
 * The built-in feature groups the docs describe, each with the README whose feature table is
 * generated from it.
 *
 * Holds: `FEATURE_PLUGINS`, imported by relative path (this is a tool, not a plugin).
 * Does not hold: the registry the CLI uses (packages/cli/src/builtin-plugins.ts); once the groups
 * are registered there, this list should be the features plugins of that list.
 */
import type { AnyPlugin } from "@hashhound/core"
import { plugin as direction } from "../../plugins/features-direction/src/index.js"
import { plugin as early } from "../../plugins/features-early/src/index.js"
import { plugin as ports } from "../../plugins/features-ports/src/index.js"
import { plugin as tcp } from "../../plugins/features-tcp/src/index.js"
import { hostPairPlugin, plugin as temporal } from "../../plugins/features-temporal/src/index.js"
import { plugin as volume } from "../../plugins/features-volume/src/index.js"

export interface DocumentedPlugin {
  readonly plugin: AnyPlugin
  /** README (relative to the repository root) holding a generated feature table */
  readonly readme: string
}

export const FEATURE_PLUGINS: ReadonlyArray<DocumentedPlugin> = [
  { plugin: volume, readme: "plugins/features-volume/README.md" },
  { plugin: direction, readme: "plugins/features-direction/README.md" },
  { plugin: ports, readme: "plugins/features-ports/README.md" },
  { plugin: temporal, readme: "plugins/features-temporal/README.md" },
  { plugin: hostPairPlugin, readme: "plugins/features-temporal/host-pair/README.md" },
  { plugin: tcp, readme: "plugins/features-tcp/README.md" },
  { plugin: early, readme: "plugins/features-early/README.md" }
]
