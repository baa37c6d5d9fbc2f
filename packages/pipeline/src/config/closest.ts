/**
 * "Did you mean …?" suggestions for mistyped keys, plugin ids and dataset names.
 *
 * Holds: Levenshtein edit distance and `closest`, the nearest candidate within a distance that
 * grows with the word's length.
 * Does not hold: the messages themselves (the callers word them).
 */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export const editDistance = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let previous = new Array<number>(b.length + 1)
  let current = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    const swap = previous
    previous = current
    current = swap
  }
  return previous[b.length] ?? 0
}

/**
 * The candidate nearest to `word`, if one is close enough to be a likely typo: at most a third of
 * the word's length (at least 2) edits away. Ties go to the earlier candidate.
 */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const limit = Math.max(2, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    if (candidate === word) continue
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= limit ? best : undefined
}
