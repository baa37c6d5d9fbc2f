/**
 * A small JSON Schema checker for the tests of `pipelineJsonSchema` (ajv is not installed).
 *
 * Holds: `checkJson(schema, value)` for the keywords the pipeline schema uses ($ref to local
 * pointers, anyOf/oneOf/allOf/not, type, const, enum, object, array, string and number
 * constraints), returning error strings; a keyword it does not know is an error too, so that a
 * constraint is never ignored silently.
 * Does not hold: remote refs, formats, or anything else of JSON Schema.
 */
type Json = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "definitions", "title", "description", "default", "examples"])
const KNOWN = new Set([
  "$ref",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "type",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "minProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum"
])

const typeOf = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number"
  return typeof value
}

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export const resolvePointer = (root: Json, ref: string): unknown => {
  if (!ref.startsWith("#/")) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    node = isObject(node) ? node[key] : undefined
  }
  return node
}

export const checkJson = (root: Json, value: unknown): ReadonlyArray<string> => {
  const errors: Array<string> = []
  const check = (schema: unknown, data: unknown, at: string, out: Array<string>): void => {
    if (schema === true) return
    if (schema === false) return void out.push(`${at}: not allowed`)
    if (!isObject(schema)) return void out.push(`${at}: schema is not an object`)
    for (const key of Object.keys(schema)) if (!KNOWN.has(key) && !ANNOTATIONS.has(key)) out.push(`${at}: unknown keyword ${key}`)
    if (typeof schema["$ref"] === "string") {
      const target = resolvePointer(root, schema["$ref"])
      if (target === undefined) out.push(`${at}: unresolved $ref ${schema["$ref"]}`)
      else check(target, data, at, out)
    }
    const alternatives = (list: unknown): ReadonlyArray<number> =>
      Array.isArray(list) ? list.map((alt: unknown) => { const sub: Array<string> = []; check(alt, data, at, sub); return sub.length }) : []
    if (Array.isArray(schema["anyOf"]) && !alternatives(schema["anyOf"]).some((n) => n === 0)) out.push(`${at}: matches none of anyOf`)
    if (Array.isArray(schema["oneOf"]) && alternatives(schema["oneOf"]).filter((n) => n === 0).length !== 1) out.push(`${at}: must match exactly one of oneOf`)
    if (Array.isArray(schema["allOf"])) for (const sub of schema["allOf"]) check(sub, data, at, out)
    if (schema["not"] !== undefined) { const sub: Array<string> = []; check(schema["not"], data, at, sub); if (sub.length === 0) out.push(`${at}: matches not`) }
    const type = schema["type"]
    if (type !== undefined) {
      const types = Array.isArray(type) ? type : [type]
      const actual = typeOf(data)
      if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) return void out.push(`${at}: expected ${types.join("|")}, got ${actual}`)
    }
    if ("const" in schema && !deepEqual(schema["const"], data)) out.push(`${at}: expected ${JSON.stringify(schema["const"])}`)
    if (Array.isArray(schema["enum"]) && !schema["enum"].some((item: unknown) => deepEqual(item, data))) out.push(`${at}: not in enum`)
    if (isObject(data)) {
      const properties = isObject(schema["properties"]) ? schema["properties"] : {}
      for (const key of Array.isArray(schema["required"]) ? schema["required"] : []) if (!(String(key) in data)) out.push(`${at}.${String(key)}: required`)
      if (typeof schema["minProperties"] === "number" && Object.keys(data).length < schema["minProperties"]) out.push(`${at}: too few properties`)
      for (const [key, item] of Object.entries(data)) {
        if (schema["propertyNames"] !== undefined) check(schema["propertyNames"], key, `${at}.${key}(name)`, out)
        if (key in properties) check(properties[key], item, `${at}.${key}`, out)
        else if (schema["additionalProperties"] !== undefined) check(schema["additionalProperties"], item, `${at}.${key}`, out)
      }
    }
    if (Array.isArray(data)) {
      if (typeof schema["minItems"] === "number" && data.length < schema["minItems"]) out.push(`${at}: too few items`)
      if (typeof schema["maxItems"] === "number" && data.length > schema["maxItems"]) out.push(`${at}: too many items`)
      if (schema["items"] !== undefined) data.forEach((item: unknown, index) => check(schema["items"], item, `${at}.${index}`, out))
    }
    if (typeof data === "string") {
      if (typeof schema["minLength"] === "number" && data.length < schema["minLength"]) out.push(`${at}: too short`)
      if (typeof schema["maxLength"] === "number" && data.length > schema["maxLength"]) out.push(`${at}: too long`)
      if (typeof schema["pattern"] === "string" && !new RegExp(schema["pattern"], "u").test(data)) out.push(`${at}: does not match ${schema["pattern"]}`)
    }
    if (typeof data === "number") {
      if (typeof schema["minimum"] === "number" && data < schema["minimum"]) out.push(`${at}: below minimum`)
      if (typeof schema["maximum"] === "number" && data > schema["maximum"]) out.push(`${at}: above maximum`)
      if (typeof schema["exclusiveMinimum"] === "number" && data <= schema["exclusiveMinimum"]) out.push(`${at}: not above exclusiveMinimum`)
      if (typeof schema["exclusiveMaximum"] === "number" && data >= schema["exclusiveMaximum"]) out.push(`${at}: not below exclusiveMaximum`)
    }
  }
  check(root, value, "$", errors)
  return errors
}
