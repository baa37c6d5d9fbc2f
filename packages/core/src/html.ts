/**
 * Building HTML safely: every interpolated value is escaped unless it is already `Html`.
 *
 * Holds: `escapeHtml` (text and attribute values: & < > " ' and control characters), the `Html`
 * value, the `html` tagged template (strings and numbers escaped, arrays joined, `Html` kept),
 * `raw` for trusted markup (our own fragments and checked SVG) and `safeSvg`, which parses the
 * SVG's tags and refuses scripts, event handlers, foreign objects or external references.
 * Shared by the report plugins, so that every report escapes traffic strings (SNI, hostnames,
 * labels, capture names) the same way. `safeSvg` checks tags and attributes instead of searching
 * the text, so escaped hostile label text does not get a chart refused.
 * Does not hold: any page layout (report plugins own theirs). No I/O.
 */

export interface Html {
  readonly _tag: "Html"
  readonly text: string
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;"
}

/** Text safe inside an element or a quoted attribute value. Control characters become U+FFFD. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd")

export const raw = (text: string): Html => ({ _tag: "Html", text })

export type Interpolation = Html | string | number | boolean | null | undefined | ReadonlyArray<Interpolation>

const isHtml = (value: unknown): value is Html => typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "Html"

const render = (value: Interpolation): string => {
  if (value === null || value === undefined || value === false) return ""
  if (isHtml(value)) return value.text
  if (Array.isArray(value)) return value.map(render).join("")
  return escapeHtml(String(value))
}

/** `html\`<td>${text}</td>\``: interpolations are escaped unless they are Html. */
export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<Interpolation>): Html => {
  let out = strings[0] ?? ""
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "")
  })
  return raw(out)
}

const FORBIDDEN_ELEMENTS = new Set(["script", "foreignobject", "iframe", "object", "embed", "use", "image", "animate", "set", "handler"])
const LINK_ATTRIBUTES = new Set(["href", "xlink:href", "src"])
const TAG = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/
const ATTRIBUTE = /\s+([^\s=>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g

/** Why the SVG markup is unsafe, or undefined when every tag and attribute is allowed. */
const svgProblem = (svg: string): string | undefined => {
  let i = 0
  while (i < svg.length) {
    const lt = svg.indexOf("<", i)
    if (lt < 0) return undefined
    // text never holds a raw "<" (the renderer escapes it), so every "<" must open a plain tag
    const match = TAG.exec(svg.slice(lt, lt + 200_000))
    if (match === null) return `markup that is not a plain tag at ${lt}`
    const name = match[2]!.toLowerCase()
    if (FORBIDDEN_ELEMENTS.has(name)) return `element <${name}>`
    for (const attribute of match[3]!.matchAll(ATTRIBUTE)) {
      const key = attribute[1]!.toLowerCase()
      const value = attribute[2] ?? attribute[3] ?? ""
      if (key.startsWith("on")) return `event handler ${key}`
      if (LINK_ATTRIBUTES.has(key) && !value.startsWith("#")) return `external reference in ${key}`
      if (key !== "aria-label" && /url\s*\(\s*['"]?(?!#)|expression\s*\(/i.test(value)) return `${key} loading a URL`
    }
    i = lt + match[0].length
  }
  return undefined
}

/**
 * The SVG as Html when every tag in it is plain (no script, foreign object, embedded document,
 * `use`/`image` reference or animation), no attribute is an event handler, links stay inside the
 * document and no attribute but `aria-label` names a `url(…)` outside the document. Tags are
 * parsed, so text such as an escaped `&lt;svg onload=…&gt;` in a label does not count against it.
 */
export const safeSvg = (svg: string): Html | undefined => {
  const trimmed = svg.trim()
  if (!trimmed.startsWith("<svg") || svgProblem(trimmed) !== undefined) return undefined
  return raw(trimmed)
}
