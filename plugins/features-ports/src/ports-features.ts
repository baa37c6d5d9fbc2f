/**
 * The port and protocol features: which class of port the responder listens on, which transport
 * the flow uses, and (only when asked) whether the responder port is a known mining-pool port.
 *
 * Holds: `PortsOptions`, `portsFeatures(options)` (the declarations for a config) and
 * `computePorts`. The server port is `dst_port`: the canonical schema makes the initiator `src`,
 * so the responder (the server) is `dst`. `src_port` (the client's ephemeral port) is a guarded
 * column and is never read. Port classes follow IANA (RFC 6335): well-known 0–1023, registered
 * 1024–49151, dynamic/ephemeral 49152–65535. A null port (ICMP) gives null classes.
 * Does not hold: the config schema or manifest (see `index.ts`).
 */
import { readNumeric, type FeatureColumns, type FeatureSpec, type FlowBatch } from "@hashhound/core"

export interface PortsOptions {
  /** three 0/1 class columns instead of the ordinal `server_port_class` */
  readonly portClassOneHot: boolean
  readonly miningPortPrior: boolean
  readonly miningPorts: ReadonlyArray<number>
}

/** Pool ports seen in the wild (stratum defaults and common pool listeners). */
export const DEFAULT_MINING_PORTS: ReadonlyArray<number> = [3333, 4444, 5555, 7777, 9999, 14444, 14433, 8008, 8888, 6666, 45560, 3357]

export const DEFAULT_PORTS_OPTIONS: PortsOptions = {
  portClassOneHot: false,
  miningPortPrior: false,
  miningPorts: DEFAULT_MINING_PORTS
}

/** 0 well-known (< 1024), 1 registered (1024–49151), 2 ephemeral (≥ 49152); NaN for a null or invalid port. */
export const portClass = (port: number): number =>
  !(port >= 0 && port <= 65535) ? Number.NaN : port < 1024 ? 0 : port < 49152 ? 1 : 2

const feature = (name: string, unit: string, dtype: FeatureSpec["dtype"], description: string, requires: ReadonlyArray<string>): FeatureSpec => ({
  name,
  unit,
  dtype,
  description,
  requires
})

const PORT = ["dst_port"]
const PROTOCOL = ["protocol"]

const CLASS_ONE_HOTS = [
  ["server_port_well_known", "1 when the server port (dst_port) is well-known (0–1023)"],
  ["server_port_registered", "1 when the server port (dst_port) is registered (1024–49151)"],
  ["server_port_ephemeral", "1 when the server port (dst_port) is dynamic/ephemeral (49152–65535)"]
] as const

/** The features a config produces, in output order. */
export const portsFeatures = (options: PortsOptions): ReadonlyArray<FeatureSpec> => [
  ...(!options.portClassOneHot
    ? [
        feature(
          "server_port_class",
          "class",
          "int32",
          "server port (dst_port) class, ordered by port range: 0 well-known (0–1023), 1 registered (1024–49151), 2 ephemeral (49152–65535); null without a port (ICMP). port_class_one_hot: true replaces it by three 0/1 columns",
          PORT
        )
      ]
    : CLASS_ONE_HOTS.map(([name, description]) =>
        feature(name, "bool", "bool", `${description}; null without a port (ICMP); replaces server_port_class`, PORT)
      )),
  feature("proto_tcp", "bool", "bool", "1 when the flow is TCP (protocol 6)", PROTOCOL),
  feature("proto_udp", "bool", "bool", "1 when the flow is UDP (protocol 17)", PROTOCOL),
  feature("proto_other", "bool", "bool", "1 when the flow is neither TCP nor UDP (ICMP, GRE, …)", PROTOCOL),
  ...(options.miningPortPrior
    ? [
        feature(
          "known_mining_port",
          "bool",
          "bool",
          "prior from port numbers, off by default: 1 when dst_port is in mining_ports (known mining-pool ports), else 0; null without a port",
          PORT
        )
      ]
    : [])
]

/** Compute the configured port features for a batch (one loop; the port list is a 64 Ki bitmap). */
export const computePorts = (batch: FlowBatch, options: PortsOptions): FeatureColumns => {
  const rows = batch.numRows
  const column = (name: string): Float64Array => readNumeric(batch, name) ?? new Float64Array(rows).fill(Number.NaN)
  const port = column("dst_port")
  const protocol = column("protocol")
  const out: Record<string, Float64Array> = {}
  for (const spec of portsFeatures(options)) out[spec.name] = new Float64Array(rows)
  const ordinal = out["server_port_class"]
  const oneHots = CLASS_ONE_HOTS.map(([name]) => out[name])
  const tcp = out["proto_tcp"]!
  const udp = out["proto_udp"]!
  const other = out["proto_other"]!
  const mining = out["known_mining_port"]
  const miningSet = new Uint8Array(65536)
  for (const p of options.miningPorts) if (p >= 0 && p <= 65535) miningSet[p] = 1
  for (let row = 0; row < rows; row++) {
    const p = port[row]!
    const cls = portClass(p)
    if (ordinal !== undefined) ordinal[row] = cls
    for (let k = 0; k < 3; k++) {
      const hot = oneHots[k]
      if (hot !== undefined) hot[row] = Number.isNaN(cls) ? Number.NaN : cls === k ? 1 : 0
    }
    const proto = protocol[row]!
    const known = !Number.isNaN(proto)
    tcp[row] = known ? (proto === 6 ? 1 : 0) : Number.NaN
    udp[row] = known ? (proto === 17 ? 1 : 0) : Number.NaN
    other[row] = known ? (proto !== 6 && proto !== 17 ? 1 : 0) : Number.NaN
    if (mining !== undefined) mining[row] = Number.isNaN(cls) ? Number.NaN : miningSet[p]!
  }
  return out
}
