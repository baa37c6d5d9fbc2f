/**
 * Application hints of a flow (DESIGN.md "App hints"): what the first payload packets say
 * about the application — TLS SNI with JA3/JA4, HTTP Host, DNS QNAME, JSON-RPC method names.
 *
 * Holds: the public surface — `HintCollector` and `AppHints` (collector.ts) and the parsers,
 * each in its own module, exported for tests and for sources that read payloads themselves.
 * Does not hold: the flow table that creates one collector per flow and feeds it.
 */
export { type AppHints, HintCollector, JSONRPC_MAX_PACKETS, UNRECOGNISED_PACKET_LIMIT } from "./collector.js"
export { parseDnsQname, parseDnsQnameTcp } from "./dns-query.js"
export { findHostHeader, HTTP_METHODS, type HttpMethod, type HttpRequestHead, httpRequestMethod, parseHttpRequestHead } from "./http-request.js"
export { ja3, ja3String } from "./ja3.js"
export { ja4, ja4Alpn, ja4CipherList, ja4ExtensionList, type Ja4Transport, ja4Version, sha256Prefix12 } from "./ja4.js"
export {
  giveScanner,
  JsonRpcMethods,
  JsonRpcStreamScanner,
  looksLikeJsonStart,
  MAX_JSONRPC_METHODS,
  MAX_METHOD_CHARS,
  scanJsonRpcMethods,
  takeScanner
} from "./jsonrpc.js"
export { looksLikeQuicInitial, QuicInitialReader } from "./quic-initial.js"
export {
  type ClientHello,
  MAX_CLIENT_HELLO_BYTES,
  measureTlsClientHello,
  NOT_CLIENT_HELLO,
  parseClientHelloBody,
  parseDtlsClientHello,
  parseTlsClientHello
} from "./tls-client-hello.js"
export { decodeHostname, isGrease, MAX_HOSTNAME_CHARS } from "./wire-fields.js"
