/**
 * Nx generator `@hashhound/tools:plugin` (`npx nx g @hashhound/tools:plugin --kind qc --name x`).
 *
 * Holds: option checks (kind, kebab name, the folder must not exist), the substitutions the
 * templates under `files/<kind>/` use, and the insertion of the new package into
 * packages/cli/src/builtin-plugins.ts above its `// generator:` marker (skipped when the file
 * or the marker is absent), and, once the files are written, `npm install` to link the new
 * workspace package (skipped with --skipInstall). CommonJS on purpose, so Nx needs no
 * TypeScript transpiler.
 * Does not hold: the plugin code itself (see files/<kind>/src/index.ts.template; the model
 * template is a nearest-centroid classifier, meant to be replaced by the author's estimator).
 */
"use strict"

const path = require("node:path")
const { spawnSync } = require("node:child_process")
const { generateFiles, logger } = require("@nx/devkit")

const KINDS = ["source", "qc", "labeler", "features", "model", "report"]
const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const BUILTIN_FILE = "packages/cli/src/builtin-plugins.ts"
const IMPORT_MARKER = "// generator: plugin imports above"
const LIST_MARKER = "// generator: plugin list above"

/** `demo-check` → `demoCheck` */
const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase())

/** Checked options and every value the templates use; throws with a readable message. */
function normalizeOptions(options) {
  const kind = String(options.kind ?? "")
  const name = String(options.name ?? "")
  if (!KINDS.includes(kind)) throw new Error(`--kind must be one of ${KINDS.join(", ")} (got "${kind}")`)
  if (!NAME_PATTERN.test(name)) throw new Error(`--name must be kebab-case, e.g. flow-sizes (got "${name}")`)
  const folder = `${kind}-${name}`
  return {
    kind,
    name,
    id: `${kind}.${name}`,
    folder,
    directory: `plugins/${folder}`,
    packageName: `@hashhound/plugin-${folder}`,
    snake: name.replace(/-/g, "_"),
    ident: `${camel(folder)}Plugins`,
    skipRegister: options.skipRegister === true,
    skipInstall: options.skipInstall === true
  }
}

/**
 * The text of builtin-plugins.ts with the package inserted above the markers, or undefined when
 * a marker is missing. Unchanged when the package is already listed. The entry follows the
 * list's form: `{ source, kind, load: () => import(…) }` when the list loads packages lazily
 * (the CLI's form: only the list marker is needed), else a static import above the import
 * marker and a `{ source, plugins }` group or a spread.
 */
function insertBuiltin(text, packageName, ident, kind) {
  const lines = text.split("\n")
  const listAt = lines.findIndex((line) => line.includes(LIST_MARKER))
  if (listAt === -1) return undefined
  const indent = (line) => /^\s*/.exec(line)[0]
  const out = [...lines]
  // the CLI's form: a loader per package, so a command loads only the kinds it uses
  if (/load: \(\) => import\(/.test(text)) {
    if (text.includes(`import("${packageName}")`)) return text
    out.splice(listAt, 0, `${indent(lines[listAt])}{ source: "${packageName}", kind: "${kind}", load: () => import("${packageName}") },`)
    return out.join("\n")
  }
  // static imports above IMPORT_MARKER, and a grouped entry or a spread per package
  const importAt = lines.findIndex((line) => line.includes(IMPORT_MARKER))
  if (importAt === -1 || listAt < importAt) return undefined
  if (text.includes(`from "${packageName}"`)) return text
  const grouped = /\{\s*readonly source: string|\{\s*source:/.test(text)
  const entry = grouped ? `{ source: "${packageName}", plugins: ${ident} },` : `...${ident},`
  out.splice(listAt, 0, `${indent(lines[listAt])}${entry}`)
  out.splice(importAt, 0, `${indent(lines[importAt])}import { plugins as ${ident} } from "${packageName}"`)
  return out.join("\n")
}

/** Add the plugin to the built-in list when the file and its markers are there. */
function registerBuiltin(tree, o) {
  if (o.skipRegister) return "skipped (--skipRegister)"
  if (!tree.exists(BUILTIN_FILE)) return `skipped (no ${BUILTIN_FILE})`
  const text = tree.read(BUILTIN_FILE, "utf-8")
  const next = insertBuiltin(text, o.packageName, o.ident, o.kind)
  if (next === undefined) return "skipped (markers not found)"
  if (next !== text) tree.write(BUILTIN_FILE, next)
  return "registered"
}

async function pluginGenerator(tree, options) {
  const o = normalizeOptions(options)
  if (tree.exists(o.directory) && tree.children(o.directory).length > 0)
    throw new Error(`${o.directory} already exists; pick another --name or remove the folder`)
  generateFiles(tree, path.join(__dirname, "files", o.kind), o.directory, { ...o, tmpl: "" })
  const registered = registerBuiltin(tree, o)
  return () => {
    logger.info(`Created ${o.directory} (${o.id}); built-in list: ${registered}.`)
    logger.info(linkPackage(tree.root, o))
    logger.info(`Run its tests with: npx vitest run ${o.directory}`)
  }
}

/**
 * Link the new workspace package: `npm install` adds it to package-lock.json (else `npm ci`
 * refuses the checkout) and to node_modules (else the CLI and the type check cannot import it).
 * A failed install is reported with the command to run, not thrown: the files are written.
 */
function linkPackage(root, o) {
  const manual = "Run `npm install` once so the new package is linked into node_modules and package-lock.json."
  if (o.skipInstall) return `npm install skipped (--skipInstall). ${manual}`
  const npm = process.platform === "win32" ? "npm.cmd" : "npm"
  const result = spawnSync(npm, ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" })
  if (result.status === 0) return `Linked ${o.packageName} (npm install).`
  const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`
  return `npm install failed (${why}). ${manual}`
}

module.exports = pluginGenerator
module.exports.default = pluginGenerator
module.exports.pluginGenerator = pluginGenerator
module.exports.normalizeOptions = normalizeOptions
module.exports.insertBuiltin = insertBuiltin
module.exports.KINDS = KINDS
