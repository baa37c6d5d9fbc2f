/**
 * Per-flow application-hint collector: fed a flow's first payload packets, it decides what
 * the flow speaks and keeps the hints (DESIGN.md "App hints": app_proto, tls_sni, tls_ja3,
 * tls_ja4, http_host, dns_qname, jsonrpc_methods).
 *
 * Holds: `HintCollector` and `AppHints`. Recognition is by payload only (no port guessing for
 * `appProto`; ports 53/5353 only choose to try the DNS parser): a TLS ClientHello over TCP
 * (buffered across segments up to 16 KiB of the first forward bytes), a DTLS ClientHello over
 * UDP, a QUIC ClientHello (the client's Initial packets decrypted, see quic-initial.ts), an
 * HTTP/1.x request, a DNS question, and JSON-RPC (a payload opening like JSON, or an
 * HTTP POST body), whose method names are scanned from both directions until 32 distinct
 * names or `JSONRPC_MAX_PACKETS` packets.
 * Does not hold: the parsers themselves (sibling modules) or the flow table. One collector per
 * flow; `feed` allocates only when it finds something (and once for a split ClientHello, and
 * for each QUIC Initial it decrypts);
 * `release` gives back the pooled JSON-RPC scanner when the flow is dropped.
 */
import { parseDnsQname, parseDnsQnameTcp } from "./dns-query.js"
import { findHostHeader, parseHttpRequestHead } from "./http-request.js"
import { ja3 } from "./ja3.js"
import { ja4 } from "./ja4.js"
import { looksLikeQuicInitial, QuicInitialReader } from "./quic-initial.js"
import { giveScanner, JsonRpcMethods, type JsonRpcStreamScanner, looksLikeJsonStart, takeScanner } from "./jsonrpc.js"
import {
  type ClientHello,
  MAX_CLIENT_HELLO_BYTES,
  measureTlsClientHello,
  NOT_CLIENT_HELLO,
  parseDtlsClientHello,
  parseTlsClientHello
} from "./tls-client-hello.js"
import { u16, u8 } from "./wire-fields.js"

export interface AppHints {
  readonly appProto: string | null
  readonly tlsSni: string | null
  readonly tlsJa3: string | null
  readonly tlsJa4: string | null
  readonly httpHost: string | null
  readonly dnsQname: string | null
  readonly jsonrpcMethods: ReadonlyArray<string>
}

/** Payload packets a flow may show without anything recognisable before the collector gives up. */
export const UNRECOGNISED_PACKET_LIMIT = 4
/** Payload packets scanned for JSON-RPC methods at most (the caller's own budget usually ends first). */
export const JSONRPC_MAX_PACKETS = 256

const TCP = 6
/** Bytes (record and handshake headers) a ClientHello must show before the flow counts as tls. */
const TLS_PROBE_BYTES = 9
const UDP = 17

const enum Phase {
  /** nothing recognised yet */
  Probing,
  /** a TLS ClientHello is being gathered from several forward segments */
  TlsBuffering,
  /** a QUIC ClientHello is being gathered from the client's Initial packets */
  QuicGathering,
  /** an HTTP request head continues in the next forward segment */
  HttpHead,
  /** an HTTP POST head ended; its body starts in the next forward segment */
  HttpBody,
  /** JSON-RPC: scanning every payload for method names */
  JsonRpc,
  Done
}

const isDnsPort = (port: number): boolean => port === 53 || port === 5353

/**
 * A TLS record header opening the payload: content type 20–23 (change_cipher_spec, alert,
 * handshake, application_data), version 3.0–3.4, length 1..18432.
 */
const isTlsRecordHeader = (b: Uint8Array, start: number, end: number): boolean => {
  if (end - start < 5) return false
  const type = u8(b, start)
  const length = u16(b, start + 3)
  return type >= 20 && type <= 23 && u8(b, start + 1) === 3 && u8(b, start + 2) <= 4 && length > 0 && length <= 18_432
}

export class HintCollector {
  private phase = Phase.Probing
  private unrecognised = 0
  private jsonPackets = 0
  private tlsSeen = false
  private quicSeen = false
  private httpSeen = false
  private httpPost = false
  private tlsSni: string | null = null
  private tlsJa3: string | null = null
  private tlsJa4: string | null = null
  private httpHost: string | null = null
  private dnsQname: string | null = null
  private readonly methods = new JsonRpcMethods()
  private scanner: JsonRpcStreamScanner | null = null
  private tlsBuffer: Uint8Array | null = null
  private tlsBuffered = 0
  private quic: QuicInitialReader | null = null

  constructor() {}

  /**
   * Feeds one packet's transport payload `payload[start..end)`; `forward` = from the flow
   * initiator; the ports are the packet's own. Returns false once the collector needs no more
   * packets of this flow. A ClientHello split over segments is joined by concatenating the
   * forward payloads, so TCP retransmissions should not be fed (the collector has no
   * sequence numbers; a repeated segment usually leaves `tls` without a fingerprint).
   */
  feed(payload: Uint8Array, start: number, end: number, forward: boolean, protocol: number, srcPort: number, dstPort: number): boolean {
    if (this.phase === Phase.Done) return false
    if (protocol !== TCP && protocol !== UDP) {
      this.phase = Phase.Done
      return false
    }
    if (start < 0) start = 0
    if (end > payload.length) end = payload.length
    if (end <= start) return true
    switch (this.phase) {
      case Phase.Probing:
        if (protocol === TCP) this.probeTcp(payload, start, end, forward, srcPort, dstPort)
        else this.probeUdp(payload, start, end, forward, srcPort, dstPort)
        break
      case Phase.QuicGathering:
        if (forward) this.gatherQuic(payload, start, end)
        break
      case Phase.TlsBuffering:
        if (forward) this.appendTls(payload, start, end)
        break
      case Phase.HttpHead:
        if (forward) this.continueHttpHead(payload, start, end)
        break
      case Phase.HttpBody:
        if (forward) this.httpBody(payload, start, end)
        break
      case Phase.JsonRpc:
        this.scanJson(payload, start, end, forward)
        break
    }
    return !this.done
  }

  /** Read through a getter: TypeScript would otherwise keep `phase` narrowed across the handlers above. */
  private get done(): boolean {
    return this.phase === Phase.Done
  }

  result(): AppHints {
    let appProto: string | null = null
    if (this.quicSeen) appProto = "quic"
    else if (this.tlsSeen) appProto = "tls"
    else if (this.httpSeen) appProto = "http"
    else if (this.dnsQname !== null) appProto = "dns"
    else if (this.methods.names.length > 0) appProto = this.methods.hasPrefix("mining.") ? "stratum" : "jsonrpc"
    return {
      appProto,
      tlsSni: this.tlsSni,
      tlsJa3: this.tlsJa3,
      tlsJa4: this.tlsJa4,
      httpHost: this.httpHost,
      dnsQname: this.dnsQname,
      jsonrpcMethods: this.methods.names.slice()
    }
  }

  private unknownPacket(): void {
    if (++this.unrecognised >= UNRECOGNISED_PACKET_LIMIT) this.phase = Phase.Done
  }

  private probeUdp(b: Uint8Array, start: number, end: number, forward: boolean, srcPort: number, dstPort: number): void {
    if (isDnsPort(srcPort) || isDnsPort(dstPort)) {
      const qname = parseDnsQname(b, start, end)
      if (qname !== null) {
        this.dnsQname = qname
        this.phase = Phase.Done
        return
      }
    }
    if (forward && looksLikeQuicInitial(b, start, end)) {
      this.quic = new QuicInitialReader()
      this.phase = Phase.QuicGathering
      this.gatherQuic(b, start, end)
      return
    }
    if (u8(b, start) === 22 && u8(b, start + 1) === 0xfe) {
      const hello = parseDtlsClientHello(b, start, end)
      if (hello !== null) {
        this.takeClientHello(hello, "d")
        this.phase = Phase.Done
        return
      }
    }
    this.unknownPacket()
  }

  private probeTcp(b: Uint8Array, start: number, end: number, forward: boolean, srcPort: number, dstPort: number): void {
    if (srcPort === 53 || dstPort === 53) {
      const qname = parseDnsQnameTcp(b, start, end)
      if (qname !== null) {
        this.dnsQname = qname
        this.phase = Phase.Done
        return
      }
    }
    const first = u8(b, start)
    if (first === 22) {
      const need = measureTlsClientHello(b, start, end)
      if (need !== NOT_CLIENT_HELLO) {
        this.tlsSeen = end - start >= TLS_PROBE_BYTES
        if (need <= end - start) {
          const hello = parseTlsClientHello(b, start, end)
          if (hello !== null) this.takeClientHello(hello, "t")
          this.phase = Phase.Done
        } else if (forward) {
          this.startTlsBuffer(b, start, end, need)
        } else {
          this.phase = Phase.Done
        }
        return
      }
    }
    if (first >= 20 && first <= 23 && isTlsRecordHeader(b, start, end)) {
      // TLS without a ClientHello in view (the capture began mid-connection): TLS all the same
      this.tlsSeen = true
      this.phase = Phase.Done
      return
    }
    if (first >= 0x41 && first <= 0x5a) {
      const head = parseHttpRequestHead(b, start, end)
      if (head !== null) {
        this.httpSeen = true
        this.httpHost = head.host
        this.httpPost = head.method === "POST" || head.method === "PUT" || head.method === "PATCH"
        if (!head.headComplete) this.phase = Phase.HttpHead
        else this.afterHttpHead(b, head.bodyStart, end, forward)
        return
      }
    }
    if (looksLikeJsonStart(b, start, end)) {
      this.phase = Phase.JsonRpc
      this.scanJson(b, start, end, forward)
      return
    }
    this.unknownPacket()
  }

  /** One client datagram for the QUIC reader; the flow is QUIC once an Initial decrypts. */
  private gatherQuic(b: Uint8Array, start: number, end: number): void {
    const reader = this.quic
    if (reader === null) {
      this.phase = Phase.Done
      return
    }
    const hello = reader.feed(b, start, end)
    if (reader.decrypted) this.quicSeen = true
    if (hello !== null) this.takeClientHello(hello, "q")
    if (reader.finished) {
      this.quic = null
      this.phase = Phase.Done
    }
  }

  private takeClientHello(hello: ClientHello, transport: "t" | "d" | "q"): void {
    this.tlsSeen = true
    this.tlsSni = hello.sni
    this.tlsJa3 = ja3(hello)
    this.tlsJa4 = ja4(hello, transport)
  }

  /** Starts gathering a split ClientHello; `need` (from its record and handshake headers) sizes the buffer. */
  private startTlsBuffer(b: Uint8Array, start: number, end: number, need: number): void {
    this.tlsBuffer = new Uint8Array(Math.min(MAX_CLIENT_HELLO_BYTES, Math.max(need, end - start)))
    this.tlsBuffered = 0
    this.phase = Phase.TlsBuffering
    this.appendTls(b, start, end)
  }

  private appendTls(b: Uint8Array, start: number, end: number): void {
    let buffer = this.tlsBuffer
    if (buffer === null) {
      this.phase = Phase.Done
      return
    }
    const length = end - start
    if (this.tlsBuffered + length > buffer.length) {
      const size = Math.min(MAX_CLIENT_HELLO_BYTES, Math.max(this.tlsBuffered + length, 2 * buffer.length))
      if (size < this.tlsBuffered + length) {
        // longer than any ClientHello we follow
        this.tlsBuffer = null
        this.phase = Phase.Done
        return
      }
      const grown = new Uint8Array(size)
      grown.set(buffer.subarray(0, this.tlsBuffered))
      buffer = grown
      this.tlsBuffer = grown
    }
    buffer.set(b.subarray(start, end), this.tlsBuffered)
    this.tlsBuffered += length
    const need = measureTlsClientHello(buffer, 0, this.tlsBuffered)
    if (need === NOT_CLIENT_HELLO) {
      this.tlsBuffer = null
      this.phase = Phase.Done
      return
    }
    if (this.tlsBuffered >= TLS_PROBE_BYTES) this.tlsSeen = true
    if (need <= this.tlsBuffered) {
      const hello = parseTlsClientHello(buffer, 0, this.tlsBuffered)
      if (hello !== null) this.takeClientHello(hello, "t")
      this.tlsBuffer = null
      this.phase = Phase.Done
    }
  }

  private continueHttpHead(b: Uint8Array, start: number, end: number): void {
    const found = findHostHeader(b, start, end)
    if (this.httpHost === null && found.host !== null) this.httpHost = found.host
    if (found.bodyStart >= 0) this.afterHttpHead(b, found.bodyStart, end, true)
    else this.unknownPacket()
  }

  /** The request head ended at `bodyStart`; a POST body (here or in the next segment) that is JSON goes to the JSON-RPC scanner. */
  private afterHttpHead(b: Uint8Array, bodyStart: number, end: number, forward: boolean): void {
    if (!this.httpPost) this.phase = Phase.Done
    else if (bodyStart < end) this.httpBody(b, bodyStart, end, forward)
    else this.phase = Phase.HttpBody
  }

  private httpBody(b: Uint8Array, start: number, end: number, forward = true): void {
    if (looksLikeJsonStart(b, start, end)) {
      this.phase = Phase.JsonRpc
      this.scanJson(b, start, end, forward)
    } else {
      this.phase = Phase.Done
    }
  }

  private scanJson(b: Uint8Array, start: number, end: number, forward: boolean): void {
    if (this.scanner === null) this.scanner = takeScanner(this.methods)
    this.scanner.scan(b, start, end, forward)
    if (this.methods.full || ++this.jsonPackets >= JSONRPC_MAX_PACKETS) {
      this.phase = Phase.Done
      this.release()
    }
  }

  /**
   * The flow will not be fed again (it ended, or its hints were taken): give back the pooled
   * JSON-RPC scanner. `result()` still answers afterwards; a later `feed` scans no more.
   */
  release(): void {
    if (this.scanner === null) return
    giveScanner(this.scanner)
    this.scanner = null
    if (this.phase === Phase.JsonRpc) this.phase = Phase.Done
  }
}
