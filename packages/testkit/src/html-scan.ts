/**
 * A small HTML scanner for tests: the element names and attribute names a page really contains
 * (text and attribute values skipped, comments and the CSS in <style> skipped), so a test can
 * prove that no injected element or event handler made it into the markup.
 */

export interface ScannedTag {
  readonly name: string
  readonly attributes: ReadonlyArray<string>
}

/** Every start tag of the document, in order. */
export const scanTags = (html: string): ReadonlyArray<ScannedTag> => {
  const tags: Array<ScannedTag> = []
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf("<", i)
    if (lt < 0) break
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4)
      i = end < 0 ? html.length : end + 3
      continue
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9:-]*)/.exec(html.slice(lt, lt + 64))
    if (nameMatch === null) {
      i = lt + 1
      continue
    }
    const name = nameMatch[1]!.toLowerCase()
    let j = lt + nameMatch[0].length
    const attributes: Array<string> = []
    // attributes until the closing >, skipping quoted values
    while (j < html.length && html[j] !== ">") {
      const attr = /^\s+([^\s=>/"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?/.exec(html.slice(j, j + 100_000))
      if (attr === null) {
        j++
        continue
      }
      attributes.push(attr[1]!.toLowerCase())
      j += attr[0].length
    }
    tags.push({ name, attributes })
    i = j + 1
    if (name === "style" || name === "script") {
      const close = html.toLowerCase().indexOf(`</${name}`, i)
      i = close < 0 ? html.length : close
    }
  }
  return tags
}
