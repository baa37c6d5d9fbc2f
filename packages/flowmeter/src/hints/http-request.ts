/**
 * HTTP/1.x request-head parsing for the application hints.
 *
 * Holds: `httpRequestMethod` (which of GET/POST/PUT/HEAD/OPTIONS/CONNECT/PATCH/DELETE opens
 * the bytes, checked without allocating), `parseHttpRequestHead` (method, Host header,
 * whether the head ended and where the body starts) and `findHostHeader` (for a head that
 * continues in a later segment).
 * Does not hold: body parsing (the JSON-RPC scanner reads POST bodies), responses, HTTP/2.
 * Only the bytes `[start, end)` are read; header lines are scanned, never copied, and only
 * the Host value becomes a string.
 */
import { decodeHostname, u8 } from "./wire-fields.js"

export const HTTP_METHODS = ["GET", "POST", "PUT", "HEAD", "OPTIONS", "CONNECT", "PATCH", "DELETE"] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export interface HttpRequestHead {
  readonly method: HttpMethod
  /** Host header value, trimmed and lower-cased (port kept); null when not (yet) seen */
  readonly host: string | null
  /** true when the blank line closing the head was found in these bytes */
  readonly headComplete: boolean
  /** offset of the first body byte (== end when the head is complete and no body bytes follow); -1 while the head is open */
  readonly bodyStart: number
}

const startsWith = (b: Uint8Array, at: number, end: number, text: string): boolean => {
  if (end - at < text.length) return false
  for (let k = 0; k < text.length; k++) if (u8(b, at + k) !== text.charCodeAt(k)) return false
  return true
}

/** The request method opening `b[start..end)` (method token then one space), else null. */
export const httpRequestMethod = (b: Uint8Array, start: number, end: number): HttpMethod | null => {
  if (start < 0 || end > b.length || end - start < 4) return null
  const c = u8(b, start)
  if (c < 0x41 || c > 0x5a) return null
  for (const method of HTTP_METHODS) {
    if (startsWith(b, start, end, method) && u8(b, start + method.length) === 0x20 && start + method.length < end) return method
  }
  return null
}

const LF = 0x0a
const CR = 0x0d
/** A request line longer than this is not followed (the whole head must start in one segment). */
const MAX_REQUEST_LINE = 8_192

const indexOfLf = (b: Uint8Array, from: number, end: number): number => {
  for (let i = from; i < end; i++) if (b[i] === LF) return i
  return -1
}

/** True when `b[lineStart..lineEnd)` ends with "HTTP/1.0" or "HTTP/1.1" (a trailing CR allowed). */
const endsWithHttpVersion = (b: Uint8Array, lineStart: number, lineEnd: number): boolean => {
  let e = lineEnd
  if (e > lineStart && u8(b, e - 1) === CR) e--
  return e - lineStart >= 9 && startsWith(b, e - 8, e, "HTTP/1.") && u8(b, e - 9) === 0x20
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09

/**
 * Scans header lines from `from` to `end` for Host. Returns the host (or null) and, via
 * `out`, the offset after the blank line ending the head (-1 when not within these bytes).
 * A line cut by `end` is ignored.
 */
const scanHeaders = (b: Uint8Array, from: number, end: number, out: { bodyStart: number }): string | null => {
  let host: string | null = null
  let at = from
  out.bodyStart = -1
  while (at < end) {
    const lf = indexOfLf(b, at, end)
    if (lf < 0) return host
    let lineEnd = lf
    if (lineEnd > at && u8(b, lineEnd - 1) === CR) lineEnd--
    if (lineEnd === at) {
      out.bodyStart = lf + 1
      return host
    }
    if (host === null && lineEnd - at > 5 && (u8(b, at) | 0x20) === 0x68 && (u8(b, at + 1) | 0x20) === 0x6f &&
      (u8(b, at + 2) | 0x20) === 0x73 && (u8(b, at + 3) | 0x20) === 0x74 && u8(b, at + 4) === 0x3a) {
      let vs = at + 5
      let ve = lineEnd
      while (vs < ve && isSpace(u8(b, vs))) vs++
      while (ve > vs && isSpace(u8(b, ve - 1))) ve--
      host = decodeHostname(b, vs, ve)
    }
    at = lf + 1
  }
  return host
}

/** Finds a Host header among complete header lines in `b[start..end)` (a head continuing in a later segment). */
export const findHostHeader = (b: Uint8Array, start: number, end: number): { host: string | null; bodyStart: number } => {
  const out = { bodyStart: -1 }
  if (start < 0 || end > b.length || start >= end) return { host: null, bodyStart: -1 }
  const host = scanHeaders(b, start, end, out)
  return { host, bodyStart: out.bodyStart }
}

/**
 * Parses an HTTP/1.x request head: the request line must be complete in these bytes and end
 * in HTTP/1.0 or HTTP/1.1; header lines follow. Null when the bytes are not a request.
 */
export const parseHttpRequestHead = (b: Uint8Array, start: number, end: number): HttpRequestHead | null => {
  const method = httpRequestMethod(b, start, end)
  if (method === null) return null
  const lf = indexOfLf(b, start, Math.min(end, start + MAX_REQUEST_LINE))
  if (lf < 0 || !endsWithHttpVersion(b, start, lf)) return null
  for (let i = start; i < lf; i++) {
    const c = u8(b, i)
    if ((c < 0x20 && c !== 0x09 && c !== CR) || c === 0x7f) return null
  }
  const out = { bodyStart: -1 }
  const host = scanHeaders(b, lf + 1, end, out)
  return { method, host, headComplete: out.bodyStart >= 0, bodyStart: out.bodyStart }
}
