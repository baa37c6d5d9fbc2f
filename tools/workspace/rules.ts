/**
 * Workspace rules, checked over a checkout: plugin folder layout and who may import whom.
 *
 * Holds: pure checks that take the repository root and return violations (empty = fine):
 * every plugins/<kind>-<name>/ has README.md with its kind's sections, example.yaml naming a
 * plugin of that kind, package.json, src/index.ts and a test file; no plugin imports another
 * plugin (by package name or by a relative path into plugins/); plugin sources import no
 * workspace package but core, flowmeter and ml (the model plugins' shared estimator machinery);
 * no package but cli imports a plugin; core imports only effect, apache-arrow and its own files
 * (no `node:` or other built-ins).
 * Does not hold: the vitest tests (tools/test/workspace.test.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, relative, resolve, sep } from "node:path"
import ts from "typescript"

const KINDS = ["source", "qc", "labeler", "features", "model", "report"] as const

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory()

/** Sub-folders of `dir` (not hidden, not node_modules), sorted. */
export const folders = (dir: string): ReadonlyArray<string> =>
  isDir(dir)
    ? readdirSync(dir)
        .filter((name) => !name.startsWith(".") && name !== "node_modules" && isDir(join(dir, name)))
        .sort()
    : []

/** `.ts` files under `dir`, recursively, skipping node_modules. */
export const tsFiles = (dir: string): ReadonlyArray<string> => {
  if (!isDir(dir)) return []
  const out: Array<string> = []
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue
    const path = join(dir, name)
    if (isDir(path)) out.push(...tsFiles(path))
    else if (name.endsWith(".ts") || name.endsWith(".mts") || name.endsWith(".cts")) out.push(path)
  }
  return out.sort()
}

/** Module specifiers a TypeScript file imports, exports from, dynamically imports or requires. */
export const importsOf = (path: string): ReadonlyArray<string> =>
  ts.preProcessFile(readFileSync(path, "utf8"), true, true).importedFiles.map((file) => file.fileName)

const headings = (markdown: string): ReadonlyArray<string> =>
  markdown
    .split(/\r?\n/)
    .map((line) => /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1]?.toLowerCase())
    .filter((heading): heading is string => heading !== undefined)

const sectionsFor = (kind: string): ReadonlyArray<string> =>
  kind === "source" ? ["Configuration", "Output columns", "Errors", "Example"] : ["Configuration", "Output", "Errors", "Example"]

/** Layout problems of one plugin folder. */
export const pluginLayoutViolations = (root: string, folder: string): ReadonlyArray<string> => {
  const dir = join(root, "plugins", folder)
  const problems: Array<string> = []
  const kind = folder.split("-")[0] ?? ""
  if (!(KINDS as ReadonlyArray<string>).includes(kind) || !/^[a-z]+-[a-z0-9]+(?:-[a-z0-9]+)*$/.test(folder))
    problems.push(`${folder}: folder is not <kind>-<kebab-name>`)
  const readme = join(dir, "README.md")
  if (!existsSync(readme)) problems.push(`${folder}: no README.md`)
  else {
    const found = headings(readFileSync(readme, "utf8"))
    for (const section of sectionsFor(kind))
      if (!found.some((heading) => heading.startsWith(section.toLowerCase()))) problems.push(`${folder}: README.md has no "${section}" section`)
  }
  const example = join(dir, "example.yaml")
  if (!existsSync(example)) problems.push(`${folder}: no example.yaml`)
  else if (!new RegExp(`^type:\\s*["']?${kind}\\.`, "m").test(readFileSync(example, "utf8")))
    problems.push(`${folder}: example.yaml has no "type: ${kind}.…" line`)
  const pkg = join(dir, "package.json")
  if (!existsSync(pkg)) problems.push(`${folder}: no package.json`)
  else {
    const json = JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }
    if (json.name !== `@hashhound/plugin-${folder}`) problems.push(`${folder}: package.json name is ${JSON.stringify(json.name)}, expected "@hashhound/plugin-${folder}"`)
  }
  if (!existsSync(join(dir, "src", "index.ts"))) problems.push(`${folder}: no src/index.ts`)
  if (!tsFiles(join(dir, "test")).some((file) => file.endsWith(".test.ts"))) problems.push(`${folder}: no test/**/*.test.ts`)
  return problems
}

/** Layout problems of every plugin folder. */
export const layoutViolations = (root: string): ReadonlyArray<string> =>
  folders(join(root, "plugins")).flatMap((folder) => pluginLayoutViolations(root, folder))

/** Does a relative specifier in `file` point into plugins/ outside `ownDir`? */
const escapesInto = (root: string, file: string, specifier: string, ownDir: string | undefined): boolean => {
  if (!specifier.startsWith(".")) return false
  const target = resolve(dirname(file), specifier)
  const plugins = join(root, "plugins") + sep
  return target.startsWith(plugins) && (ownDir === undefined || !(target + sep).startsWith(ownDir + sep))
}

const WORKSPACE_PACKAGE = /^@hashhound\/([a-z0-9-]+)/

/** Plugins importing another plugin, or a workspace package other than core, flowmeter and ml (testkit in tests). */
export const pluginImportViolations = (root: string): ReadonlyArray<string> =>
  folders(join(root, "plugins")).flatMap((folder) => {
    const dir = join(root, "plugins", folder)
    const own = `plugin-${folder}`
    return [...tsFiles(join(dir, "src")), ...tsFiles(join(dir, "test"))].flatMap((file) => {
      const where = relative(root, file)
      const inTests = file.startsWith(join(dir, "test") + sep)
      return importsOf(file).flatMap((specifier) => {
        if (escapesInto(root, file, specifier, dir)) return [`${where}: imports "${specifier}", a path into another plugin`]
        const pkg = WORKSPACE_PACKAGE.exec(specifier)?.[1]
        if (pkg === undefined || pkg === own) return []
        if (pkg.startsWith("plugin-")) return [`${where}: imports another plugin, "${specifier}"`]
        const allowed = inTests ? ["core", "flowmeter", "ml", "testkit"] : ["core", "flowmeter", "ml"]
        return allowed.includes(pkg) ? [] : [`${where}: imports "${specifier}"; plugins may depend on ${allowed.join(", ")} only`]
      })
    })
  })

/** Packages other than cli importing a plugin. */
export const packageImportViolations = (root: string): ReadonlyArray<string> =>
  folders(join(root, "packages"))
    .filter((pkg) => pkg !== "cli")
    .flatMap((pkg) =>
      tsFiles(join(root, "packages", pkg)).flatMap((file) =>
        importsOf(file).flatMap((specifier) =>
          specifier.startsWith("@hashhound/plugin-") || escapesInto(root, file, specifier, undefined)
            ? [`${relative(root, file)}: imports plugin "${specifier}"; only packages/cli may`]
            : []
        )
      )
    )

const BUILTINS = new Set(builtinModules)
const CORE_ALLOWED = /^(effect|apache-arrow)(\/.*)?$/

/** Core importing anything but effect, apache-arrow and its own files; any `node:` or built-in module. */
export const coreImportViolations = (root: string): ReadonlyArray<string> => {
  const coreDir = join(root, "packages", "core")
  return tsFiles(join(coreDir, "src")).flatMap((file) =>
    importsOf(file).flatMap((specifier) => {
      const where = relative(root, file)
      if (specifier.startsWith("node:") || BUILTINS.has(specifier.split("/")[0] ?? specifier))
        return [`${where}: imports Node built-in "${specifier}"; core has no I/O`]
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier)
        return (target + sep).startsWith(join(coreDir, "src") + sep) ? [] : [`${where}: imports "${specifier}" from outside core`]
      }
      return CORE_ALLOWED.test(specifier) ? [] : [`${where}: imports "${specifier}"; core depends on effect and apache-arrow only`]
    })
  )
}
