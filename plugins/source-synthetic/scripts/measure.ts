/**
 * Measure mining sessions in a capture: message sizes and cadences per JSON-RPC method, packet
 * sizes per direction, session durations and rates. Used to put generated sessions next to the
 * real captures in docs/synthetic.md. Needs tshark on the PATH.
 *
 *   npx tsx plugins/source-synthetic/scripts/measure.ts CAPTURE [LABELS.csv] [--json]
 *
 * Without a labels file, sessions are TCP connections carrying mining JSON-RPC, named by the
 * methods they use (mining.set_target → stratum_zec, mining.set_difficulty → stratum_btc,
 * login with an xmr-stak agent → xmr_stak, login → xmrig, eth_submitLogin → eth_stratum,
 * HTTP POST with eth_getWork → eth_http). With a labels file (from the generator), sessions
 * are the flows labelled `mining`, named by their behaviour (TLS ones included: sizes only).
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

interface Packet {
  readonly t: number
  readonly fwd: boolean
  readonly ipLen: number
  readonly seq: number
  readonly payload: Buffer
}

interface Session {
  readonly key: string
  behaviour: string
  readonly packets: Array<Packet>
}

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"))
const asJson = process.argv.includes("--json")
const capture = args[0]
if (capture === undefined) {
  console.error("usage: measure.ts CAPTURE [LABELS.csv] [--json]")
  process.exit(2)
}

const out = execFileSync(
  "tshark",
  ["-r", capture, "-Y", "tcp", "-o", "tcp.relative_sequence_numbers:TRUE", "-T", "fields", "-E", "separator=\t",
    "-e", "frame.time_epoch", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
    "-e", "ip.len", "-e", "ipv6.plen", "-e", "tcp.seq", "-e", "tcp.payload", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack"],
  { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }
)

const sessions = new Map<string, Session>()
const initiator = new Map<string, string>()
for (const line of out.split("\n")) {
  if (line === "") continue
  const f = line.split("\t")
  const stream = f[1]!
  const src = `${f[2] || f[3]}:${f[4]}`
  const dst = `${f[5] || f[6]}:${f[7]}`
  if (!initiator.has(stream)) initiator.set(stream, f[12] === "1" && f[13] === "1" ? dst : src)
  let s = sessions.get(stream)
  if (s === undefined) {
    const client = initiator.get(stream)!
    s = { key: client === src ? `${src}>${dst}` : `${dst}>${src}`, behaviour: "", packets: [] }
    sessions.set(stream, s)
  }
  const fwd = initiator.get(stream) === src
  const ipLen = f[8] ? Number(f[8]) : Number(f[9]) + 40
  s.packets.push({ t: Number(f[0]), fwd, ipLen, seq: Number(f[10]), payload: Buffer.from(f[11] ?? "", "hex") })
}

/** In-order payload of one direction (retransmitted bytes dropped). */
const streamOf = (s: Session, fwd: boolean): Array<{ t: number; data: Buffer }> => {
  const parts: Array<{ t: number; data: Buffer }> = []
  let next = -1
  for (const p of s.packets) {
    if (p.fwd !== fwd || p.payload.length === 0) continue
    if (next < 0) next = p.seq
    if (p.seq + p.payload.length <= next) continue
    const data = p.seq < next ? p.payload.subarray(next - p.seq) : p.payload
    parts.push({ t: p.t, data })
    next = p.seq + p.payload.length
  }
  return parts
}

interface Message {
  readonly t: number
  readonly fwd: boolean
  readonly size: number
  readonly name: string
}

const TLS_TYPES: Readonly<Record<number, string>> = { 20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "app data" }

/** TLS records (sizes with header) with the time their last byte arrived. */
const tlsRecordsOf = (s: Session): Array<Message> => {
  const msgs: Array<Message> = []
  for (const fwd of [true, false]) {
    let buffer = Buffer.alloc(0)
    for (const part of streamOf(s, fwd)) {
      buffer = Buffer.concat([buffer, part.data])
      while (buffer.length >= 5) {
        const size = 5 + buffer.readUInt16BE(3)
        if (buffer.length < size) break
        msgs.push({ t: part.t, fwd, size, name: `${fwd ? "client" : "pool"} TLS ${TLS_TYPES[buffer[0]!] ?? "other"}` })
        buffer = buffer.subarray(size)
      }
    }
  }
  return msgs.sort((a, b) => a.t - b.t)
}

/** JSON-RPC messages (lines, or HTTP bodies) with the time their last byte arrived. */
const messagesOf = (s: Session): Array<Message> => {
  const first = s.packets.find((p) => p.fwd && p.payload.length > 0)
  if (first !== undefined && first.payload[0] === 0x16 && first.payload[1] === 0x03) return tlsRecordsOf(s)
  const msgs: Array<Message> = []
  for (const fwd of [true, false]) {
    let buffer = ""
    let start = 0
    for (const part of streamOf(s, fwd)) {
      buffer += part.data.toString("latin1")
      for (;;) {
        if (buffer.startsWith("POST ") || buffer.startsWith("HTTP/1.1")) {
          const head = buffer.indexOf("\r\n\r\n")
          if (head < 0) break
          const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, head))?.[1] ?? "0")
          if (buffer.length < head + 4 + length) break
          const body = buffer.slice(head + 4, head + 4 + length)
          msgs.push({ t: part.t, fwd, size: head + 4 + length, name: nameOf(body, fwd) })
          buffer = buffer.slice(head + 4 + length)
          continue
        }
        const nl = buffer.indexOf("\n", start)
        if (nl < 0) break
        const text = buffer.slice(0, nl + 1)
        msgs.push({ t: part.t, fwd, size: text.length, name: nameOf(text, fwd) })
        buffer = buffer.slice(nl + 1)
        start = 0
      }
    }
  }
  return msgs.sort((a, b) => a.t - b.t)
}

const nameOf = (text: string, fwd: boolean): string => {
  const method = /"method" ?: ?"([^"]+)"/.exec(text)?.[1]
  if (method !== undefined) return method
  if (/"result"/.test(text)) return fwd ? "client result" : "result"
  return fwd ? "client other" : "server other"
}

const classify = (msgs: ReadonlyArray<Message>, raw: string): string => {
  const names = new Set(msgs.map((m) => m.name))
  if (names.has("mining.set_target")) return "stratum_zec"
  if (names.has("mining.set_difficulty") && names.has("mining.notify")) return "stratum_btc"
  if (names.has("eth_submitLogin")) return "eth_stratum"
  if (names.has("login") || names.has("job") || names.has("submit")) return raw.includes("xmr-stak") ? "xmr_stak" : "xmrig"
  if (names.has("eth_getWork") && raw.includes("POST ")) return "eth_http"
  return ""
}

// Behaviour per session: from the labels file, or from the messages.
const labels = new Map<string, string>()
if (args[1] !== undefined) {
  for (const line of readFileSync(args[1], "utf8").split("\n").slice(1)) {
    const f = line.split(",")
    if (f[7] === "mining") labels.set(`${f[0]}:${f[1]}>${f[2]}:${f[3]}`, f[8]!)
  }
}

const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!
}
const gaps = (times: ReadonlyArray<number>): Array<number> => times.slice(1).map((t, i) => t - times[i]!)

interface BehaviourStats {
  sessions: number
  durationS: Array<number>
  pktPerMin: Array<number>
  bytesPerMin: Array<number>
  fwdLen: Array<number>
  bwdLen: Array<number>
  methods: Map<string, { count: number; sizes: Array<number>; gaps: Array<number> }>
}

const stats = new Map<string, BehaviourStats>()
for (const s of sessions.values()) {
  const raw = streamOf(s, true).map((p) => p.data.toString("latin1")).join("")
  const msgs = messagesOf(s)
  s.behaviour = args[1] !== undefined ? (labels.get(s.key) ?? "") : classify(msgs, raw)
  if (s.behaviour === "" || s.packets.length < 8) continue
  let b = stats.get(s.behaviour)
  if (b === undefined) {
    b = { sessions: 0, durationS: [], pktPerMin: [], bytesPerMin: [], fwdLen: [], bwdLen: [], methods: new Map() }
    stats.set(s.behaviour, b)
  }
  b.sessions++
  const first = s.packets[0]!.t
  const last = s.packets[s.packets.length - 1]!.t
  const duration = Math.max(1e-3, last - first)
  b.durationS.push(duration)
  b.pktPerMin.push((s.packets.length / duration) * 60)
  b.bytesPerMin.push((s.packets.reduce((sum, p) => sum + p.ipLen, 0) / duration) * 60)
  for (const p of s.packets) (p.fwd ? b.fwdLen : b.bwdLen).push(p.ipLen)
  const byName = new Map<string, Array<Message>>()
  for (const m of msgs) {
    const list = byName.get(m.name) ?? []
    list.push(m)
    byName.set(m.name, list)
  }
  for (const [name, list] of byName) {
    const entry = b.methods.get(name) ?? { count: 0, sizes: [], gaps: [] }
    entry.count += list.length
    entry.sizes.push(...list.map((m) => m.size))
    entry.gaps.push(...gaps(list.map((m) => m.t)))
    b.methods.set(name, entry)
  }
}

const fmt = (x: number, digits = 1): string => (Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(digits))
const result: Record<string, unknown> = {}
for (const [name, b] of [...stats].sort(([a], [c]) => a.localeCompare(c))) {
  result[name] = {
    sessions: b.sessions,
    duration_s_median: quantile(b.durationS, 0.5),
    packets_per_min_median: quantile(b.pktPerMin, 0.5),
    bytes_per_min_median: quantile(b.bytesPerMin, 0.5),
    fwd_ip_len_p10_p50_p90: [0.1, 0.5, 0.9].map((q) => quantile(b.fwdLen, q)),
    bwd_ip_len_p10_p50_p90: [0.1, 0.5, 0.9].map((q) => quantile(b.bwdLen, q)),
    methods: Object.fromEntries(
      [...b.methods].map(([m, e]) => [m, { count: e.count, size_median: quantile(e.sizes, 0.5), gap_s_median: quantile(e.gaps, 0.5), gap_s_mean: e.gaps.reduce((x, y) => x + y, 0) / (e.gaps.length || 1) }])
    )
  }
  if (asJson) continue
  console.log(`\n### ${name} (${b.sessions} session${b.sessions === 1 ? "" : "s"})\n`)
  console.log(`duration median ${fmt(quantile(b.durationS, 0.5))} s · ${fmt(quantile(b.pktPerMin, 0.5))} packets/min · ${fmt(quantile(b.bytesPerMin, 0.5) / 1000, 2)} kB/min`)
  console.log(`IP length client→pool p10/p50/p90: ${[0.1, 0.5, 0.9].map((q) => quantile(b.fwdLen, q)).join("/")} · pool→client: ${[0.1, 0.5, 0.9].map((q) => quantile(b.bwdLen, q)).join("/")}\n`)
  if (b.methods.size === 0) continue
  console.log("| message | count | size median (B) | gap median (s) | gap mean (s) |")
  console.log("|---|---:|---:|---:|---:|")
  for (const [m, e] of [...b.methods].sort((x, y) => y[1].count - x[1].count)) {
    console.log(`| ${m} | ${e.count} | ${fmt(quantile(e.sizes, 0.5))} | ${fmt(quantile(e.gaps, 0.5))} | ${fmt(e.gaps.reduce((x, y) => x + y, 0) / (e.gaps.length || 1))} |`)
  }
}
if (asJson) console.log(JSON.stringify(result, null, 2))
