/**
 * HTTP/1.1 messages as text: requests with realistic header sets per client, and responses
 * with Content-Length framing around a body of a given size.
 *
 * Holds: `httpRequest`, `httpResponseHead` and the user agents the behaviours use.
 * Does not hold: connection reuse or timing (see `behaviours/web.ts`).
 */

export const USER_AGENTS = {
  chrome: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
  safari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
  updater: "Microsoft-Delivery-Optimization/10.0",
  apt: "Debian APT-HTTP/1.3 (2.6.1)",
  ethminer: "ethminer/0.19.0",
  python: "python-requests/2.31.0"
} as const

export type UserAgent = keyof typeof USER_AGENTS

export const httpRequest = (
  method: string,
  host: string,
  path: string,
  agent: UserAgent,
  body: string | undefined,
  contentType = "application/json"
): string => {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${USER_AGENTS[agent]}`]
  if (agent === "chrome" || agent === "firefox" || agent === "safari") {
    lines.push("Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
    lines.push("Accept-Language: en-US,en;q=0.9")
    lines.push("Accept-Encoding: gzip, deflate")
  } else lines.push("Accept: */*")
  lines.push("Connection: keep-alive")
  if (body !== undefined) {
    lines.push(`Content-Type: ${contentType}`)
    lines.push(`Content-Length: ${Buffer.byteLength(body, "latin1")}`)
  }
  return `${lines.join("\r\n")}\r\n\r\n${body ?? ""}`
}

export const httpResponseHead = (contentType: string, contentLength: number, server = "nginx"): string =>
  [
    "HTTP/1.1 200 OK",
    `Server: ${server}`,
    "Date: Mon, 04 Mar 2024 09:00:00 GMT",
    `Content-Type: ${contentType}`,
    `Content-Length: ${contentLength}`,
    "Connection: keep-alive",
    "Cache-Control: max-age=3600",
    "",
    ""
  ].join("\r\n")
