/**
 * IP address text from the flow key's big-endian words.
 *
 * Holds: dotted-quad IPv4 and RFC 5952 IPv6 text (lower case, longest zero run compressed,
 * IPv4-mapped addresses kept in hex groups as most tools print them with `::ffff:`).
 * Does not hold: parsing.
 */

export const ipv4Text = (w: number): string => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`

export const ipv6Text = (words: ArrayLike<number>, at: number): string => {
  const groups: Array<number> = []
  for (let i = 0; i < 4; i++) {
    const w = words[at + i]!
    groups.push(w >>> 16, w & 0xffff)
  }
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${ipv4Text(words[at + 3]!)}`
  }
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(":")
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`
}
