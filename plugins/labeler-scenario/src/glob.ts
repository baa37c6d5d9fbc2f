/**
 * Capture-name globs: `*` (within one folder level), `**` (any depth), `?`, `[abc]` / `[!abc]`
 * and `{a,b}` alternatives, compiled to a RegExp once.
 *
 * Holds: `compileGlob` and `matchesCapture`, which tries the capture id (its path relative to
 * the pipeline folder) and then its base name, so `xmrig-*.pcap` matches
 * `captures/lab/xmrig-01.pcap`.
 * Does not hold: file system globbing (sources use `planFiles`).
 */

const escapeChar = (ch: string): string => (/[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch)

/** A RegExp matching the whole of a `/`-separated path against `glob`. */
export const compileGlob = (glob: string): RegExp => {
  let out = ""
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/"
        out += slash ? "(?:.*/)?" : ".*"
        i += slash ? 2 : 1
      } else out += "[^/]*"
    } else if (ch === "?") out += "[^/]"
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 2)
      if (end < 0) out += "\\["
      else {
        let body = glob.slice(i + 1, end)
        const negate = body.startsWith("!") || body.startsWith("^")
        if (negate) body = body.slice(1)
        out += `[${negate ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/\]/g, "\\]")}]`
        i = end
      }
    } else if (ch === "{") {
      braces++
      out += "(?:"
    } else if (ch === "}" && braces > 0) {
      braces--
      out += ")"
    } else if (ch === "," && braces > 0) out += "|"
    else if (ch === "\\" && i + 1 < glob.length) {
      out += escapeChar(glob[i + 1]!)
      i++
    } else out += escapeChar(ch)
  }
  while (braces-- > 0) out += ")"
  return new RegExp(`^${out}$`)
}

const baseName = (path: string): string => {
  const slash = path.lastIndexOf("/")
  return slash < 0 ? path : path.slice(slash + 1)
}

/** Whether a capture id (or its base name) matches the compiled glob. */
export const matchesCapture = (glob: RegExp, capture: string): boolean => {
  const normalised = capture.includes("\\") ? capture.split("\\").join("/") : capture
  return glob.test(normalised) || glob.test(baseName(normalised))
}
