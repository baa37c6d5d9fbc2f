/**
 * Reading a model file's envelope: every model plugin saves UTF-8 JSON whose `format` and
 * `version` say what it is, and checks them before it trusts the body.
 *
 * Holds: `decodeModelFile(pluginId, bytes, format, version, schema)`: parse the bytes as UTF-8
 * JSON, check that they hold a JSON object of this `format` and `version`, then decode it with the
 * plugin's Schema. Every refusal is a `reading` PluginError that says which of these failed (not
 * UTF-8 JSON, not an object, another format, an unsupported version, a body that does not match),
 * never a throw.
 * Does not hold: encoding, or checks a Schema cannot express (tree indices in range, arrays of
 * equal length): each plugin's own.
 */
import { PluginError } from "@hashhound/core"
import { Either, ParseResult, Schema } from "effect"

const reading = (pluginId: string, reason: string): PluginError => new PluginError({ pluginId, stage: "reading", reason })

export const decodeModelFile = <A, I>(
  pluginId: string,
  bytes: Uint8Array,
  format: string,
  version: number,
  schema: Schema.Schema<A, I>
): Either.Either<A, PluginError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch (error) {
    return Either.left(reading(pluginId, `model file is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`))
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return Either.left(reading(pluginId, "model file is not a JSON object"))
  }
  const record = parsed as Record<string, unknown>
  if (record["format"] !== format) {
    return Either.left(reading(pluginId, `not a ${format} file (format ${JSON.stringify(record["format"] ?? null)})`))
  }
  if (record["version"] !== version) {
    return Either.left(
      reading(pluginId, `${format} file version ${JSON.stringify(record["version"] ?? null)} is not supported (this build reads version ${version})`)
    )
  }
  return Either.mapLeft(Schema.decodeUnknownEither(schema)(record), (error) =>
    reading(pluginId, `model file does not match ${format} v${version}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
  )
}
