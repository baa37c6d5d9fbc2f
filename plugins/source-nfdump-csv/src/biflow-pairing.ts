/**
 * Pairing one-way flow records (nfdump, NetFlow/IPFIX exports) into bidirectional flows.
 *
 * Holds: `OneWayRecord`, and `BiflowPairer`, which keeps the records of each connection (the
 * protocol and the unordered pair of endpoints; ICMP by addresses only) until no more can
 * arrive (the export's clock, taken from record ends, has moved `windowUs` past the
 * connection's last end, or the input ended, or the pending-record cap forces it), then
 * decides. A reverse record overlapping by more than `toleranceUs` is a definite candidate;
 * one within ±`toleranceUs` of touching is an uncertain one (whole-second times cannot tell
 * touching segments of a long connection from overlapping ones), used only when there is no
 * definite one. A record and its reverse are `paired` when each is the other's only
 * candidate; a record with no candidate is `unpaired`; any other is `ambiguous` and stays
 * one-way.
 * Does not hold: parsing (see `nfdump-format.ts`) or batching (`FlowSink` from @hashhound/flowmeter).
 */
import type { FlowSink } from "@hashhound/flowmeter"

export interface OneWayRecord {
  readonly src: string
  readonly dst: string
  readonly srcPort: number | undefined
  readonly dstPort: number | undefined
  readonly protocol: number
  readonly ipVersion: number
  readonly vlan: number | undefined
  readonly startUs: number
  readonly endUs: number
  readonly packets: number
  readonly bytes: number
  /** TCP flags seen (nfdump `flg`, e.g. `...AP.S.`), empty when not TCP */
  readonly flags: string
  /** input order, for a stable output order */
  readonly seq: number
}

interface Connection {
  readonly records: Array<OneWayRecord>
  lastEndUs: number
}

export type Pairing = "paired" | "unpaired" | "ambiguous"

export interface PairingOptions {
  readonly windowUs: number
  readonly toleranceUs: number
  readonly maxPending: number
}

const endpoint = (address: string, port: number | undefined): string => (port === undefined ? address : `${address}|${port}`)

/** Canonical end reason from the TCP flags of one or two directions. */
const endReasonOf = (protocol: number, a: string, b: string | undefined): string | null => {
  if (protocol !== 6) return null
  if (a.includes("R") || (b ?? "").includes("R")) return "rst"
  if (a.includes("F") && (b === undefined || b.includes("F"))) return "fin"
  return null
}

export class BiflowPairer {
  private readonly open = new Map<string, Connection>()
  private pending = 0
  private clockUs = Number.NEGATIVE_INFINITY
  private sinceSweep = 0
  /** connections decided early because of the pending-record cap */
  forced = 0

  constructor(
    private readonly sink: FlowSink,
    private readonly options: PairingOptions
  ) {}

  add(record: OneWayRecord): void {
    const a = endpoint(record.src, record.srcPort)
    const b = endpoint(record.dst, record.dstPort)
    const key = a < b ? `${record.protocol} ${a} ${b}` : `${record.protocol} ${b} ${a}`
    let connection = this.open.get(key)
    if (connection === undefined) {
      connection = { records: [], lastEndUs: record.endUs }
      this.open.set(key, connection)
    }
    connection.records.push(record)
    if (record.endUs > connection.lastEndUs) connection.lastEndUs = record.endUs
    this.pending++
    if (record.endUs > this.clockUs) this.clockUs = record.endUs
    this.sinceSweep++
    if (this.pending > this.options.maxPending) this.force()
    else if (this.sinceSweep >= Math.max(4096, this.open.size)) this.sweep()
  }

  /** Decide every connection the clock has left behind. */
  private sweep(): void {
    this.sinceSweep = 0
    const horizon = this.clockUs - this.options.windowUs
    for (const [key, connection] of this.open) {
      if (connection.lastEndUs < horizon) {
        this.open.delete(key)
        this.decide(connection)
      }
    }
  }

  /** Too many records held: decide the oldest connections until a tenth of the cap is free. */
  private force(): void {
    const target = Math.floor(this.options.maxPending * 0.9)
    for (const [key, connection] of this.open) {
      if (this.pending <= target) break
      this.open.delete(key)
      this.forced++
      this.decide(connection)
    }
  }

  /** End of input: decide everything still open, oldest first. */
  finish(): void {
    for (const connection of this.open.values()) this.decide(connection)
    this.open.clear()
  }

  private decide(connection: Connection): void {
    const records = connection.records
    this.pending -= records.length
    const n = records.length
    const t = this.options.toleranceUs
    // per record: reverse records overlapping by more than the tolerance ("definite"), and
    // those within ±tolerance of touching ("uncertain": whole-second times cannot tell)
    const definite = new Int32Array(n)
    const definitePartner = new Int32Array(n).fill(-1)
    const uncertain = new Int32Array(n)
    const uncertainPartner = new Int32Array(n).fill(-1)
    // sweep in start order: only records starting before x ends (plus tolerance) can overlap it
    const byStart = records.map((_, index) => index).sort((p, q) => records[p]!.startUs - records[q]!.startUs)
    for (let a = 0; a < n; a++) {
      const i = byStart[a]!
      const x = records[i]!
      for (let b = a + 1; b < n; b++) {
        const j = byStart[b]!
        const y = records[j]!
        if (y.startUs > x.endUs + t) break
        if (x.src !== y.dst || x.dst !== y.src || x.srcPort !== y.dstPort || x.dstPort !== y.srcPort) continue
        const overlap = Math.min(x.endUs, y.endUs) - Math.max(x.startUs, y.startUs)
        if (overlap < -t) continue
        if (overlap > t) {
          definite[i]!++
          definite[j]!++
          definitePartner[i] = j
          definitePartner[j] = i
        } else {
          uncertain[i]!++
          uncertain[j]!++
          uncertainPartner[i] = j
          uncertainPartner[j] = i
        }
      }
    }
    // a record's candidates are its definite overlaps, or when it has none its uncertain ones;
    // a pair is two records that are each other's only candidate
    const count = (i: number) => (definite[i]! > 0 ? definite[i]! : uncertain[i]!)
    const partnerOf = (i: number) => (definite[i]! > 0 ? definitePartner[i]! : uncertainPartner[i]!)
    const state: Array<Pairing> = new Array(n)
    for (let i = 0; i < n; i++) {
      const j = partnerOf(i)
      if (count(i) === 0) state[i] = "unpaired"
      else if (count(i) === 1 && count(j) === 1 && partnerOf(j) === i) state[i] = "paired"
      else state[i] = "ambiguous"
    }
    const done: Array<boolean> = new Array(n).fill(false)
    const order = records.map((_, index) => index).sort((p, q) => records[p]!.seq - records[q]!.seq)
    for (const i of order) {
      if (done[i]) continue
      done[i] = true
      const x = records[i]!
      if (state[i] === "paired") {
        const j = partnerOf(i)
        done[j] = true
        const y = records[j]!
        const [fwd, bwd] = this.initiatorFirst(x, y)
        this.emit(fwd, bwd, "paired")
      } else this.emit(x, undefined, state[i]!)
    }
  }

  /**
   * The initiator of a pair: the record that started first; nfdump prints whole seconds, so on
   * a tie the record whose destination port is the lower one (the service side) is forward;
   * then input order.
   */
  private initiatorFirst(x: OneWayRecord, y: OneWayRecord): [OneWayRecord, OneWayRecord] {
    if (x.startUs !== y.startUs) return x.startUs < y.startUs ? [x, y] : [y, x]
    if (x.dstPort !== undefined && y.dstPort !== undefined && x.dstPort !== y.dstPort) return x.dstPort < y.dstPort ? [x, y] : [y, x]
    return x.seq < y.seq ? [x, y] : [y, x]
  }

  private emit(fwd: OneWayRecord, bwd: OneWayRecord | undefined, pairing: Pairing): void {
    const sink = this.sink
    sink.begin()
    const first = bwd === undefined ? fwd.startUs : Math.min(fwd.startUs, bwd.startUs)
    const last = bwd === undefined ? fwd.endUs : Math.max(fwd.endUs, bwd.endUs)
    sink.str("src_ip", fwd.src)
    sink.str("dst_ip", fwd.dst)
    sink.num("src_port", fwd.srcPort)
    sink.num("dst_port", fwd.dstPort)
    sink.num("protocol", fwd.protocol)
    sink.num("ip_version", fwd.ipVersion)
    sink.num("vlan_id", fwd.vlan ?? bwd?.vlan)
    sink.num("first_seen_us", first)
    sink.num("last_seen_us", last)
    sink.num("duration_s", (last - first) / 1e6)
    sink.num("fwd_packets", fwd.packets)
    sink.num("fwd_bytes", fwd.bytes)
    // the reverse direction of an unpaired record was not seen (0); of an ambiguous one, unknown
    sink.num("bwd_packets", bwd !== undefined ? bwd.packets : pairing === "unpaired" ? 0 : undefined)
    sink.num("bwd_bytes", bwd !== undefined ? bwd.bytes : pairing === "unpaired" ? 0 : undefined)
    sink.str("end_reason", endReasonOf(fwd.protocol, fwd.flags, bwd?.flags))
    sink.str("biflow_pairing", pairing)
    sink.commit()
  }
}
