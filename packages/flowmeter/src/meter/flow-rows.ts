/**
 * Ended flows → FlowBatch rows.
 *
 * Holds: `FLOWMETER_COLUMNS` (the catalogue columns a capture fills) and `RowWriter`, which
 * writes one flow slot into a FlowBatchBuilder through column handles fetched once (numbers go
 * straight into the handles' typed arrays; addresses, end reasons, app hints and early-packet
 * lists into flat columns, no JS value per cell) and finishes a batch.
 * Does not hold: when flows end (see `flow-meter.ts`).
 */
import { columnBuffers, FlowBatchBuilder, TCP_FLAGS, type FlowBatch, type NumericColumn } from "@hashhound/core"
import { Table, type Vector } from "apache-arrow"
import { ipv6Text } from "./address.js"
import { ListColumn, TextColumn } from "./flat-columns.js"
import { FLAG_COUNTS, KEY_WORDS, type FlowStore } from "./flow-store.js"
import type { HintValues } from "./hint-feed.js"

const STAT_DIRS = ["fwd_", "bwd_", ""] as const

export const FLOWMETER_COLUMNS: ReadonlyArray<string> = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "ip_version",
  "vlan_id",
  "first_seen_us",
  "last_seen_us",
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes",
  "fwd_payload_bytes",
  "bwd_payload_bytes",
  ...STAT_DIRS.flatMap((d) => ["min", "mean", "max", "std"].map((s) => `${d}pkt_len_${s}`)),
  ...STAT_DIRS.flatMap((d) => ["mean", "std", "min", "max"].map((s) => `${d}iat_${s}_s`)),
  ...(["fwd_", "bwd_"] as const).flatMap((d) => TCP_FLAGS.map((flag) => `${d}${flag}`)),
  "fwd_init_win",
  "bwd_init_win",
  "splt_len",
  "splt_iat_ms",
  "end_reason",
  "app_proto",
  "tls_sni",
  "tls_ja3",
  "tls_ja4",
  "http_host",
  "dns_qname",
  "jsonrpc_methods"
]

/** The columns written flat (see flat-columns.ts) instead of through the builder. */
const HINT_COLUMNS = ["app_proto", "tls_sni", "tls_ja3", "tls_ja4", "http_host", "dns_qname", "jsonrpc_methods"] as const
const FLAT_COLUMNS: ReadonlySet<string> = new Set(["src_ip", "dst_ip", "splt_len", "splt_iat_ms", "end_reason", ...HINT_COLUMNS])
const BUILT_COLUMNS = FLOWMETER_COLUMNS.filter((name) => !FLAT_COLUMNS.has(name))

const LEN_STATS = ["min", "mean", "max", "std"] as const
const IAT_STATS = ["mean", "std", "min", "max"] as const

export class RowWriter {
  /** one builder for every batch, `reset` after each: its buffers are reused, not made per batch */
  private readonly builder: FlowBatchBuilder
  rows = 0
  private readonly srcIp: TextColumn
  private readonly dstIp: TextColumn
  private readonly spltLen: ListColumn<Int32Array>
  private readonly spltIat: ListColumn<Float64Array>
  private readonly srcPort: NumericColumn
  private readonly dstPort: NumericColumn
  private readonly protocol: NumericColumn
  private readonly ipVersion: NumericColumn
  private readonly vlan: NumericColumn
  private readonly firstSeen: NumericColumn
  private readonly lastSeen: NumericColumn
  private readonly duration: NumericColumn
  private readonly volume: Array<NumericColumn>
  /** [direction][len min, mean, max, std, iat mean, std, min, max] */
  private readonly stats: Array<Array<NumericColumn>>
  private readonly tcpFwd: Array<NumericColumn>
  private readonly tcpBwd: Array<NumericColumn>
  private readonly fwdWin: NumericColumn
  private readonly bwdWin: NumericColumn
  private readonly endReason: TextColumn
  /** in HINT_COLUMNS order */
  private readonly hints: ReadonlyArray<TextColumn>

  constructor(initialCapacity: number, spltPackets: number) {
    this.srcIp = new TextColumn(initialCapacity)
    this.dstIp = new TextColumn(initialCapacity)
    this.spltLen = new ListColumn((n) => columnBuffers.int32(n), initialCapacity, spltPackets)
    this.spltIat = new ListColumn((n) => columnBuffers.float64(n), initialCapacity, spltPackets)
    this.endReason = new TextColumn(initialCapacity)
    this.hints = HINT_COLUMNS.map(() => new TextColumn(initialCapacity))
    const builder = FlowBatchBuilder.forColumns(BUILT_COLUMNS, initialCapacity)
    // every column the builder holds is numeric: one handle per column, fetched once
    const num = (name: string): NumericColumn => builder.numeric(name)
    this.builder = builder
    this.srcPort = num("src_port")
    this.dstPort = num("dst_port")
    this.protocol = num("protocol")
    this.ipVersion = num("ip_version")
    this.vlan = num("vlan_id")
    this.firstSeen = num("first_seen_us")
    this.lastSeen = num("last_seen_us")
    this.duration = num("duration_s")
    this.volume = ["fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "fwd_payload_bytes", "bwd_payload_bytes"].map(num)
    this.stats = STAT_DIRS.map((d) => [
      ...LEN_STATS.map((s) => num(`${d}pkt_len_${s}`)),
      ...IAT_STATS.map((s) => num(`${d}iat_${s}_s`))
    ])
    this.tcpFwd = TCP_FLAGS.map((flag) => num(`fwd_${flag}`))
    this.tcpBwd = TCP_FLAGS.map((flag) => num(`bwd_${flag}`))
    this.fwdWin = num("fwd_init_win")
    this.bwdWin = num("bwd_init_win")
  }

  private writeStats(
    row: number,
    slot: number,
    cols: Array<NumericColumn>,
    packets: number,
    lenMin: Float64Array,
    lenMean: Float64Array,
    lenMax: Float64Array,
    lenM2: Float64Array,
    iatMean: Float64Array,
    iatM2: Float64Array,
    iatMin: Float64Array,
    iatMax: Float64Array
  ): void {
    if (packets > 0) {
      set(cols[0]!, row, lenMin[slot]!)
      set(cols[1]!, row, lenMean[slot]!)
      set(cols[2]!, row, lenMax[slot]!)
      set(cols[3]!, row, Math.sqrt(Math.max(0, lenM2[slot]!) / packets))
    } else for (let k = 0; k < 4; k++) cols[k]!.valid[row] = 0
    const gaps = packets - 1
    if (gaps > 0) {
      set(cols[4]!, row, iatMean[slot]!)
      set(cols[5]!, row, Math.sqrt(Math.max(0, iatM2[slot]!) / gaps))
      set(cols[6]!, row, iatMin[slot]!)
      set(cols[7]!, row, iatMax[slot]!)
    } else for (let k = 4; k < 8; k++) cols[k]!.valid[row] = 0
  }

  /** Append the flow in `slot` as a row. */
  write(store: FlowStore, slot: number, endReason: string, hints: HintValues | undefined): void {
    const row = this.rows++
    this.builder.ensureCapacity(row + 1)
    const k = store.keys
    const at = slot * KEY_WORDS
    const w0 = k[at]!
    const version = w0 >>> 24
    const protocol = (w0 >>> 16) & 0xff
    const vlan = (w0 & 0xffff) - 1
    const srcIsA = store.u.srcIsA[slot] === 1
    const ports = k[at + 9]!
    const hasPorts = protocol === 6 || protocol === 17 || protocol === 132
    const sAt = srcIsA ? at + 1 : at + 5
    const dAt = srcIsA ? at + 5 : at + 1
    if (version === 4) {
      this.srcIp.ipv4(k[sAt]!)
      this.dstIp.ipv4(k[dAt]!)
    } else {
      this.srcIp.text(ipv6Text(k, sAt))
      this.dstIp.text(ipv6Text(k, dAt))
    }
    setOrNull(this.srcPort, row, hasPorts, srcIsA ? ports >>> 16 : ports & 0xffff)
    setOrNull(this.dstPort, row, hasPorts, srcIsA ? ports & 0xffff : ports >>> 16)
    set(this.protocol, row, protocol)
    set(this.ipVersion, row, version)
    setOrNull(this.vlan, row, vlan >= 0, vlan)
    const f = store.f
    const first = f.firstTs[slot]!
    const last = f.lastTs[slot]!
    set(this.firstSeen, row, first)
    set(this.lastSeen, row, last)
    set(this.duration, row, (last - first) / 1e6)
    const fp = f.fwdPackets[slot]!
    const bp = f.bwdPackets[slot]!
    const vol = this.volume
    set(vol[0]!, row, fp)
    set(vol[1]!, row, bp)
    set(vol[2]!, row, f.fwdBytes[slot]!)
    set(vol[3]!, row, f.bwdBytes[slot]!)
    set(vol[4]!, row, f.fwdPayload[slot]!)
    set(vol[5]!, row, f.bwdPayload[slot]!)
    const st = this.stats
    this.writeStats(row, slot, st[0]!, fp, f.fwdLenMin, f.fwdLenMean, f.fwdLenMax, f.fwdLenM2, f.fwdIatMean, f.fwdIatM2, f.fwdIatMin, f.fwdIatMax)
    this.writeStats(row, slot, st[1]!, bp, f.bwdLenMin, f.bwdLenMean, f.bwdLenMax, f.bwdLenM2, f.bwdIatMean, f.bwdIatM2, f.bwdIatMin, f.bwdIatMax)
    this.writeStats(row, slot, st[2]!, fp + bp, f.allLenMin, f.allLenMean, f.allLenMax, f.allLenM2, f.allIatMean, f.allIatM2, f.allIatMin, f.allIatMax)
    const isTcp = protocol === 6
    const base = slot * FLAG_COUNTS
    for (let bit = 0; bit < 8; bit++) {
      setOrNull(this.tcpFwd[bit]!, row, isTcp, store.flags[base + bit]!)
      setOrNull(this.tcpBwd[bit]!, row, isTcp, store.flags[base + 8 + bit]!)
    }
    const fw = store.i.fwdInitWin[slot]!
    const bw = store.i.bwdInitWin[slot]!
    setOrNull(this.fwdWin, row, fw >= 0, fw)
    setOrNull(this.bwdWin, row, bw >= 0, bw)
    const count = store.u.spltCount[slot]!
    const from = slot * store.splt
    this.spltLen.push(store.spltLen, from, count)
    this.spltIat.push(store.spltIat, from, count)
    this.endReason.text(endReason)
    const hv = this.hints
    if (hints === undefined) for (const column of hv) column.text(null)
    else {
      hv[0]!.text(hints.appProto)
      hv[1]!.text(hints.tlsSni)
      hv[2]!.text(hints.tlsJa3)
      hv[3]!.text(hints.tlsJa4)
      hv[4]!.text(hints.httpHost)
      hv[5]!.text(hints.dnsQname)
      hv[6]!.text(hints.jsonrpcMethods.length === 0 ? null : hints.jsonrpcMethods.join(","))
    }
  }

  /** The rows so far as a FlowBatch; the writer starts a new batch. */
  finish(): FlowBatch {
    const built = this.builder.finish(this.rows)
    const flat: Record<string, Vector> = {
      src_ip: this.srcIp.vector(),
      dst_ip: this.dstIp.vector(),
      splt_len: this.spltLen.vector(),
      splt_iat_ms: this.spltIat.vector(),
      end_reason: this.endReason.vector()
    }
    HINT_COLUMNS.forEach((name, j) => (flat[name] = this.hints[j]!.vector()))
    // columns in FLOWMETER_COLUMNS order, as one builder would have made them
    const vectors: Record<string, Vector> = {}
    for (const name of FLOWMETER_COLUMNS) vectors[name] = flat[name] ?? built.getChild(name)!
    this.rows = 0
    this.builder.reset()
    return new Table(vectors)
  }
}

const set = (column: NumericColumn, row: number, value: number): void => {
  column.values[row] = value
  column.valid[row] = 1
}

const setOrNull = (column: NumericColumn, row: number, present: boolean, value: number): void => {
  if (present) {
    column.values[row] = value
    column.valid[row] = 1
  } else column.valid[row] = 0
}
