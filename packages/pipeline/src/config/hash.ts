/**
 * Stable hashing of configuration values.
 *
 * Holds: `stableJson` (JSON with object keys sorted at every depth, so two equal configs written
 * in a different key order give the same text) and `configHash` (sha256 hex of that text), which
 * the runner compares with the manifest to decide what to redo.
 * Does not hold: hashing of input files (content fingerprints come from the sources' `plan`).
 */
import { createHash } from "node:crypto"

const isPlainRecord = (value: object): value is Record<string, unknown> => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const encode = (value: unknown, inArray: boolean): string | undefined => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value)
    case "number":
      // JSON has no NaN/Infinity; keep them apart from null and from each other.
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(`__number:${String(value)}`)
    case "bigint":
      return JSON.stringify(`__bigint:${value.toString()}`)
    case "undefined":
    case "function":
    case "symbol":
      return inArray ? "null" : undefined
    case "object":
      break
  }
  const object = value as object
  if (Array.isArray(object)) return `[${object.map((item: unknown) => encode(item, true) ?? "null").join(",")}]`
  if (ArrayBuffer.isView(object)) {
    const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength)
    return JSON.stringify(`__bytes:${Buffer.from(bytes).toString("hex")}`)
  }
  if (object instanceof Date) return JSON.stringify(object.toISOString())
  if (object instanceof Map) {
    const entries = [...object.entries()].map(([key, item]) => [String(key), item] as const)
    return encode(Object.fromEntries(entries), inArray)
  }
  if (object instanceof Set) return `[${[...object.values()].map((item) => encode(item, true) ?? "null").sort().join(",")}]`
  const record: Record<string, unknown> = isPlainRecord(object) ? object : { ...object }
  const parts: Array<string> = []
  for (const key of Object.keys(record).sort()) {
    const encoded = encode(record[key], false)
    if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`)
  }
  return `{${parts.join(",")}}`
}

/**
 * JSON text with object keys sorted at every depth. Like `JSON.stringify`, `undefined` object
 * members are left out and `undefined` array items become `null`; non-finite numbers, bigints and
 * byte arrays become tagged strings so that they do not collide with `null`.
 */
export const stableJson = (value: unknown): string => encode(value, false) ?? "null"

/** sha256 hex of `stableJson(value)`: equal for configs that differ only in key order. */
export const configHash = (value: unknown): string => createHash("sha256").update(stableJson(value)).digest("hex")
