/**
 * Optional npm packages behind the reference model plugins (ml-random-forest, ml-xgboost): is one
 * installed?
 *
 * Holds: `resolvable(name, fromUrl)`, whether `name` resolves from the module at `fromUrl` (pass
 * the plugin's own `import.meta.url`, so that the plugin's dependencies are what counts).
 * Does not hold: loading a package (each plugin's own: the packages export different shapes).
 */
import { createRequire } from "node:module"

export const resolvable = (name: string, fromUrl: string): boolean => {
  try {
    createRequire(fromUrl).resolve(name)
    return true
  } catch {
    return false
  }
}
