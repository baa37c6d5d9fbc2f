/**
 * Which JSON-RPC method sets are pool mining.
 *
 * Holds: the method families and `classifyMethods`, which turns a flow's `jsonrpc_methods`
 * (distinct names, comma-separated, in order of first use) into the pool methods seen and the
 * others. Families and the distinct names each needs:
 * - `stratum`: any `mining.*` method (Stratum v1 and EthereumStratum: `mining.subscribe`,
 *   `mining.authorize`, `mining.submit`, `mining.notify`, `mining.set_target`,
 *   `mining.set_difficulty`, `mining.extranonce.subscribe`, `mining.configure`, …) — one is enough;
 * - `xmrig` (Monero/CryptoNote pool protocol): `login`, `job`, `submit`, `keepalived`, `getjob` —
 *   two distinct ones are needed (`login` + `job`, `job` + `submit`, …), because a lone `login` or
 *   `submit` is too generic a name to mean mining;
 * - `ethereum` (getWork pools and proxies): `eth_submitLogin`, `eth_getWork`, `eth_submitWork`,
 *   `eth_submitHashrate` — one is enough;
 * - `extra`: the config's `extra_methods` — one is enough.
 * A flow is pool mining when some family reaches its count and the pool methods of the families
 * that did number at least `min_methods`. Node JSON-RPC (`web3_clientVersion`,
 * `eth_blockNumber`, `eth_getBalance`, …) is in no family, and Monero P2P carries no JSON-RPC at all.
 * Does not hold: reading batches (`index.ts`).
 */

export type Family = "stratum" | "xmrig" | "ethereum" | "extra"

const XMRIG: ReadonlySet<string> = new Set(["login", "job", "submit", "keepalived", "getjob"])
const ETHEREUM: ReadonlySet<string> = new Set(["eth_submitLogin", "eth_getWork", "eth_submitWork", "eth_submitHashrate"])
const NEEDED: Readonly<Record<Family, number>> = { stratum: 1, xmrig: 2, ethereum: 1, extra: 1 }
const ORDER: ReadonlyArray<Family> = ["stratum", "xmrig", "ethereum", "extra"]

export interface MethodSettings {
  readonly minMethods: number
  readonly extraMethods: ReadonlySet<string>
}

export interface Classified {
  /** families that reached their count */
  readonly families: ReadonlyArray<Family>
  /** methods of those families, in order of first use */
  readonly pool: ReadonlyArray<string>
  /** every other method seen */
  readonly other: ReadonlyArray<string>
  readonly mining: boolean
}

const familyOf = (method: string, settings: MethodSettings): Family | undefined =>
  settings.extraMethods.has(method)
    ? "extra"
    : method.startsWith("mining.") && method.length > 7
      ? "stratum"
      : XMRIG.has(method)
        ? "xmrig"
        : ETHEREUM.has(method)
          ? "ethereum"
          : undefined

/** Split a `jsonrpc_methods` cell into distinct trimmed names. */
export const methodNames = (cell: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const part of cell.split(",")) {
    const name = part.trim()
    if (name !== "" && !names.includes(name)) names.push(name)
  }
  return names
}

/** Classify one `jsonrpc_methods` cell (see the module header for the rule). */
export const classifyMethods = (cell: string, settings: MethodSettings): Classified => {
  const names = methodNames(cell)
  const counts: Record<Family, number> = { stratum: 0, xmrig: 0, ethereum: 0, extra: 0 }
  const family = names.map((name) => familyOf(name, settings))
  for (const f of family) if (f !== undefined) counts[f]++
  const families = ORDER.filter((f) => counts[f] >= NEEDED[f])
  const pool: Array<string> = []
  const other: Array<string> = []
  names.forEach((name, i) => {
    const f = family[i]
    if (f !== undefined && families.includes(f)) pool.push(name)
    else other.push(name)
  })
  return { families, pool, other, mining: families.length > 0 && pool.length >= settings.minMethods }
}

/** label_detail for a classified cell, or null when no method was seen. */
export const methodsDetail = (classified: Classified, settings: MethodSettings): string | null => {
  const others = classified.other.length === 0 ? "" : `; other methods: ${classified.other.join(", ")}`
  if (classified.mining) return `pool JSON-RPC (${classified.families.join("+")}): ${classified.pool.join(", ")}${others}`
  if (classified.families.length > 0)
    return `pool JSON-RPC below min_methods (${classified.pool.length} < ${settings.minMethods}): ${classified.pool.join(", ")}${others}`
  const seen = [...classified.pool, ...classified.other]
  return seen.length === 0 ? null : `JSON-RPC methods seen, not a pool-mining set: ${seen.join(", ")}`
}
