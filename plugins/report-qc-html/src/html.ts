/**
 * Building HTML safely: every interpolated value is escaped unless it is already `Html`.
 *
 * Holds: `escapeHtml` (text and attribute values: & < > " ' and control characters), the `Html`
 * value, the `html` tagged template (strings and numbers escaped, arrays joined, `Html` kept),
 * `raw` for trusted markup (our own fragments and checked SVG) and `safeSvg`, which refuses SVG
 * carrying scripts, event handlers, foreign objects or external references.
 * Does not hold: the page layout (see `page.ts`).
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

const UNSAFE_SVG = [/<script/i, /<foreignObject/i, /\son[a-z]+\s*=/i, /javascript:/i, /(?:href|src)\s*=\s*["']?(?!#)[a-z]+:/i, /<iframe/i, /<object/i, /<embed/i]

/** The SVG as Html when it has no script, handler, foreign object or external reference. */
export const safeSvg = (svg: string): Html | undefined => {
  const trimmed = svg.trim()
  if (!trimmed.startsWith("<svg") || UNSAFE_SVG.some((pattern) => pattern.test(trimmed))) return undefined
  return raw(trimmed)
}
