/**
 * Plugin kinds and the naming rules every plugin follows.
 *
 * Holds: the six kinds, the id pattern `<kind>.<name>`, the snake_case rule for config keys.
 * Does not hold: the stage contracts themselves (see `stages.ts`).
 */
export const PluginKinds = ["source", "qc", "labeler", "features", "model", "report"] as const
export type PluginKind = (typeof PluginKinds)[number]

/** `source.zeek-conn`, `model.gbdt`: kind, a dot, a lower-case kebab name. */
export const PLUGIN_ID_PATTERN = /^(source|qc|labeler|features|model|report)\.[a-z0-9]+(?:-[a-z0-9]+)*$/

/** `idle_timeout_s`: lower-case snake case, starting with a letter. */
export const SNAKE_CASE_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/

export const isPluginKind = (value: string): value is PluginKind =>
  (PluginKinds as ReadonlyArray<string>).includes(value)

/** The kind named by a plugin id (`source.pcap` → `source`), or undefined when the id is malformed. */
export const kindOfId = (id: string): PluginKind | undefined => {
  const kind = id.split(".")[0] ?? ""
  return PLUGIN_ID_PATTERN.test(id) && isPluginKind(kind) ? kind : undefined
}
