/**
 * Reading report markup back as text in the tests: `textOf` (tags dropped, entities decoded, a
 * missing-column marker as " | ") and `tableRows` (a table's rows as cell texts).
 */

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" }

export const textOf = (markup: string): string =>
  markup
    .replace(/<br>/g, " ")
    .replace(/<span class="lack">/g, " | ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim()

export const tableRows = (table: string): ReadonlyArray<ReadonlyArray<string>> =>
  [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => textOf(cell[1]!)))
