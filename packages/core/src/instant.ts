/**
 * Points in time as label files write them: ISO 8601 with a zone, or epoch seconds.
 *
 * Holds: `parseInstantUs` (→ µs since the epoch, or undefined when the text is not a time) and
 * `formatInstantUs` (→ ISO 8601 UTC, for details). A time without a zone is refused: the
 * capture clock is UTC and a local time would shift windows silently.
 * Does not hold: window logic (labelers own that).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)$/
const EPOCH = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** µs since the epoch of an ISO 8601 time with a zone or epoch seconds; undefined when neither. */
export const parseInstantUs = (value: string | number): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1e6) : undefined
  const text = value.trim()
  if (EPOCH.test(text)) {
    const seconds = Number(text)
    return Number.isFinite(seconds) ? Math.round(seconds * 1e6) : undefined
  }
  const m = ISO.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number]
  const second = m[6] === undefined ? 0 : Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const probe = new Date(ms)
  if (probe.getUTCDate() !== day) return undefined
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1e6)
  const zone = m[8]!
  let offsetMin = 0
  if (zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const hours = Number(digits.slice(0, 2))
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0
    if (hours > 23 || minutes > 59) return undefined
    offsetMin = sign * (hours * 60 + minutes)
  }
  return (ms - offsetMin * 60_000) * 1000 + fraction
}

/** ISO 8601 UTC of µs since the epoch (`2024-03-01T10:00:00Z`, milliseconds only when not 0). */
export const formatInstantUs = (us: number): string => {
  const iso = new Date(Math.floor(us / 1000)).toISOString()
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso
}
