/**
 * Mapping a dataset's own label (`label_raw`) onto mining | benign | unknown.
 *
 * Holds: `compileMapping` and `mapRawLabel`. The rule: the raw value is trimmed; an empty or
 * missing value gets no opinion; otherwise the exact `map` entry decides (compared ignoring case
 * when `case_insensitive`), else the first `patterns` regex that matches anywhere in the value
 * (use `^…$` to anchor), else `default` (null = no opinion).
 * Does not hold: reading batches (`index.ts`).
 */
import type { Label } from "@hashhound/core"

export interface MappingConfig {
  readonly map: Readonly<Record<string, Label>>
  readonly patterns: ReadonlyArray<{ readonly match: string; readonly label: Label }>
  readonly default: Label | null
  readonly case_insensitive: boolean
}

export interface Mapping {
  readonly exact: ReadonlyMap<string, Label>
  readonly patterns: ReadonlyArray<{ readonly regex: RegExp; readonly source: string; readonly label: Label }>
  readonly defaultLabel: Label | null
  readonly caseInsensitive: boolean
}

export interface Mapped {
  readonly label: Label | null
  readonly detail: string | null
}

const NONE: Mapped = { label: null, detail: null }

export const compileMapping = (config: MappingConfig): Mapping => {
  const fold = (key: string): string => (config.case_insensitive ? key.trim().toLowerCase() : key.trim())
  return {
    exact: new Map(Object.entries(config.map).map(([key, label]) => [fold(key), label])),
    patterns: config.patterns.map((pattern) => ({
      regex: new RegExp(pattern.match, config.case_insensitive ? "i" : ""),
      source: pattern.match,
      label: pattern.label
    })),
    defaultLabel: config.default,
    caseInsensitive: config.case_insensitive
  }
}

const quote = (raw: string): string => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)

/** The label and detail for one raw value (see the module header for the rule). */
export const mapRawLabel = (mapping: Mapping, raw: string | null): Mapped => {
  if (raw === null) return NONE
  const value = raw.trim()
  if (value === "") return NONE
  const exact = mapping.exact.get(mapping.caseInsensitive ? value.toLowerCase() : value)
  if (exact !== undefined) return { label: exact, detail: `label_raw ${quote(value)} (map)` }
  for (const pattern of mapping.patterns)
    if (pattern.regex.test(value)) return { label: pattern.label, detail: `label_raw ${quote(value)} matches /${pattern.source}/` }
  return mapping.defaultLabel === null ? NONE : { label: mapping.defaultLabel, detail: `label_raw ${quote(value)} (default)` }
}
