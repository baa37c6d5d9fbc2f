/**
 * Instants in qc.timestamps config: ISO 8601 with a zone (`2024-03-01T10:00:00Z`) or epoch
 * seconds, as microseconds since the epoch; and instants in messages.
 *
 * Holds: `parseInstantUs`, the `Instant` Schema (refuses local times and bad dates), `isoOf`
 * (µs → ISO text, or the raw number when outside the Date range).
 * Does not hold: any check.
 */
import { Schema } from "effect"

const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i

/** µs since the epoch, or undefined for a local time, a bad date or a non-finite number. */
export const parseInstantUs = (value: string | number): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1e6) : undefined
  const text = value.trim()
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e6)
  if (!ZONED.test(text)) return undefined
  const ms = Date.parse(text.replace(" ", "T"))
  if (Number.isNaN(ms)) return undefined
  // Date.parse rolls 2024-02-30 over to March: refuse dates that do not round-trip.
  const [y, m, d] = text.slice(0, 10).split("-").map(Number)
  const check = new Date(Date.UTC(y!, m! - 1, d!))
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m! - 1 || check.getUTCDate() !== d) return undefined
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? ""
  const extraUs = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, "0")) : 0
  return ms * 1000 + extraUs
}

export const Instant = Schema.Union(Schema.String, Schema.Number).pipe(
  Schema.filter((value) => parseInstantUs(value) !== undefined || "expected an ISO 8601 time with a zone (2024-03-01T10:00:00Z) or epoch seconds")
)

/** An instant in µs as ISO 8601 (UTC), or `<n> µs` when Date cannot show it. */
export const isoOf = (us: number): string => {
  const ms = Math.floor(us / 1000)
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${us} µs`
}
