/**
 * Pipeline YAML text → plain value, keeping the document so that any YAML path can be turned
 * back into a line and column.
 *
 * Holds: `readYaml` (syntax errors and unresolved aliases as `ConfigIssue`s with their line and
 * column), `locate` (dotted YAML path → position: the key's position when the path exists, else
 * the key or item holding the deepest part that exists, i.e. the parent mapping of a missing key),
 * and `withPositions` (fills line/column into issues that lack them).
 * Does not hold: what the pipeline's shape is (see `shape.ts`).
 */
import { ConfigIssue } from "@hashhound/core"
import { Either } from "effect"
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from "yaml"

export interface YamlPosition {
  /** 1-based */
  readonly line: number
  /** 1-based */
  readonly column: number
}

export interface YamlSource {
  /** the document as plain JavaScript values (mappings as objects, sequences as arrays) */
  readonly value: unknown
  /** where a dotted YAML path (`datasets.campus.source.idle_timeout_s`, `models.0`) is written */
  readonly locate: (path: string) => YamlPosition | undefined
}

/** `Map keys must be unique at line 2, column 1:\n\n…` → `Map keys must be unique` */
const firstLine = (message: string): string => {
  const cut = message.search(/ at line \d+, column \d+:/)
  return (cut >= 0 ? message.slice(0, cut) : message.split("\n")[0] ?? message).trim()
}

const startOf = (node: unknown): number | undefined => {
  if (isNode(node) && node.range) return node.range[0]
  return undefined
}

const keyText = (key: unknown): string | undefined => {
  if (isScalar(key)) return String(key.value)
  if (typeof key === "string" || typeof key === "number" || typeof key === "boolean") return String(key)
  return undefined
}

const positionIn =
  (doc: Document, lines: LineCounter) =>
  (path: string): YamlPosition | undefined => {
    const toPosition = (offset: number | undefined): YamlPosition | undefined => {
      if (offset === undefined) return undefined
      const { line, col } = lines.linePos(offset)
      return { line, column: col }
    }
    const segments = path === "" ? [] : path.split(".")
    let node: unknown = doc.contents
    let best = toPosition(startOf(node))
    let index = 0
    const seen = new Set<unknown>()
    while (index < segments.length) {
      if (isAlias(node)) {
        if (seen.has(node)) break
        seen.add(node)
        node = node.resolve(doc)
        continue
      }
      if (isMap(node)) {
        const map = node
        // Keys may themselves contain dots (`map: { "a.b": x }`): try the longest match first.
        let matched = false
        for (let take = segments.length - index; take >= 1 && !matched; take--) {
          const wanted = segments.slice(index, index + take).join(".")
          const pair = map.items.find((item) => isPair(item) && keyText(item.key) === wanted)
          if (pair !== undefined) {
            best = toPosition(startOf(pair.key) ?? startOf(pair.value)) ?? best
            node = pair.value
            index += take
            matched = true
          }
        }
        if (!matched) break
        continue
      }
      if (isSeq(node)) {
        const segment = segments[index] ?? ""
        const item = /^\d+$/.test(segment) ? node.items[Number(segment)] : undefined
        if (item === undefined) break
        best = toPosition(startOf(item)) ?? best
        node = item
        index += 1
        continue
      }
      break
    }
    return best
  }

/** Parse pipeline YAML. Left: syntax problems, each with its line and column. */
export const readYaml = (text: string): Either.Either<YamlSource, ReadonlyArray<ConfigIssue>> => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, uniqueKeys: true })
  const problems = [...doc.errors]
  if (problems.length > 0) {
    return Either.left(
      problems.map((problem) => {
        const at = problem.linePos?.[0]
        return new ConfigIssue({
          path: "",
          message: `YAML syntax: ${firstLine(problem.message)}`,
          ...(at === undefined ? {} : { line: at.line, column: at.col })
        })
      })
    )
  }
  const locate = positionIn(doc, lines)
  const unresolved: Array<ConfigIssue> = []
  visit(doc, {
    Alias: (_key, alias) => {
      if (alias.resolve(doc) !== undefined) return
      const at = alias.range ? lines.linePos(alias.range[0]) : undefined
      unresolved.push(
        new ConfigIssue({
          path: "",
          message: `YAML syntax: alias *${alias.source} names no anchor defined before it`,
          ...(at === undefined ? {} : { line: at.line, column: at.col })
        })
      )
    }
  })
  if (unresolved.length > 0) return Either.left(unresolved)
  // toJS refuses alias bombs (too many alias expansions) by throwing
  return Either.try({
    try: (): YamlSource => ({ value: doc.toJS() as unknown, locate }),
    catch: (cause) => [
      new ConfigIssue({ path: "", message: `YAML: ${firstLine(cause instanceof Error ? cause.message : String(cause))}` })
    ]
  })
}

/** Issues with line/column filled in from the document where they had none. */
export const withPositions = (
  issues: ReadonlyArray<ConfigIssue>,
  locate: (path: string) => YamlPosition | undefined
): ReadonlyArray<ConfigIssue> =>
  issues.map((issue) => {
    if (issue.line !== undefined) return issue
    const at = locate(issue.path)
    return at === undefined
      ? issue
      : new ConfigIssue({ path: issue.path, message: issue.message, severity: issue.severity, line: at.line, column: at.column })
  })

/** Issues in file order (line, then column); issues without a line keep their order at the end. */
export const inFileOrder = (issues: ReadonlyArray<ConfigIssue>): ReadonlyArray<ConfigIssue> =>
  issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => {
      const lineA = a.issue.line ?? Number.POSITIVE_INFINITY
      const lineB = b.issue.line ?? Number.POSITIVE_INFINITY
      if (lineA !== lineB) return lineA - lineB
      const columnA = a.issue.column ?? 0
      const columnB = b.issue.column ?? 0
      return columnA !== columnB ? columnA - columnB : a.order - b.order
    })
    .map(({ issue }) => issue)
