/**
 * Request/response benign behaviours over HTTP/1.1 or TLS: web browsing (pages of many objects
 * over a few keep-alive connections, heavy-tailed sizes, think times), video streaming (a
 * segment every few seconds after a start-up burst), software updates (periodic checks,
 * occasional large downloads) and JSON-RPC API polling (a blockchain node client: JSON-RPC and
 * periodic, but not mining, a hard negative).
 *
 * Holds: those four behaviour definitions and their parameters.
 * Does not hold: long-lived keepalive applications (see `keepalive-apps.ts`).
 */
import { Schema } from "effect"
import { httpRequest, httpResponseHead, type UserAgent } from "../proto/http.js"
import { Dist, sample } from "../scenario/dist.js"
import type { Rng } from "../sim/prng.js"
import { ConcatChunk, FillerChunk, literal } from "../sim/stream-chunks.js"
import { C2S, S2C } from "../sim/tcp.js"
import { type BehaviourContext, defineBehaviour, gapUs, openChannel } from "./behaviour.js"
import type { Channel, Message } from "./channel.js"
import type { Server } from "./world.js"

const CONTENT_TYPES = ["text/html; charset=utf-8", "application/javascript", "text/css", "application/octet-stream", "font/woff2", "image/webp"]

/** A response with headers and a body of `bytes` (filler). */
const response = (rng: Rng, contentType: string, bytes: number): Message => {
  const size = Math.max(0, Math.round(bytes))
  return new ConcatChunk([literal(httpResponseHead(contentType, size)), new FillerChunk(size, rng.nextU32())])
}

const agentFor = (ctx: BehaviourContext): UserAgent =>
  ctx.host.stack.name === "windows" ? "chrome" : ctx.host.stack.name === "macos" ? "safari" : "firefox"

const channelTo = (ctx: BehaviourContext, server: Server, tls: boolean, alpn: ReadonlyArray<string>): Channel =>
  openChannel(ctx, server, tls ? 443 : (ctx.ports.find((p) => p !== 443) ?? 80), tls ? { version: ctx.rng.chance(0.8) ? "1.3" : "1.2", sni: server.name, family: "browser", alpn } : null)

/** Fetch `objects` (sizes) one after another on `ch`; `done` gets the time the last one is in. */
const fetchAll = (ctx: BehaviourContext, ch: Channel, host: string, sizes: ReadonlyArray<number>, t0: number, done: (t: number) => void): void => {
  const rng = ctx.rng
  const step = (i: number, t: number): void => {
    const size = sizes[i]
    if (size === undefined || t >= ctx.endUs) {
      done(t)
      return
    }
    const path = `/${rng.hex(8)}/${rng.hex(6)}.${rng.pick(["js", "css", "woff2", "bin", "json"])}`
    const type = i === 0 ? CONTENT_TYPES[0]! : rng.pick(CONTENT_TYPES)
    ch.request(t, httpRequest("GET", host, path, agentFor(ctx), undefined), response(rng, type, size), rng.logNormal(8_000, 1) , (tr) =>
      step(i + 1, tr + rng.uniform(200, 8_000))
    )
  }
  step(0, t0)
}

// ------------------------------------------------------------------ web browsing

export const WebParams = Schema.Struct({
  think_time_s: Schema.optional(Dist),
  objects_per_page: Schema.optional(Dist),
  object_bytes: Schema.optional(Dist),
  page_bytes: Schema.optional(Dist),
  connections_per_page: Schema.optional(Dist),
  idle_close_s: Schema.optional(Dist)
})
type WebParams = typeof WebParams.Type

const browse = (ctx: BehaviourContext, p: WebParams, startUs: number): void => {
  const rng = ctx.rng
  const page = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const tls = rng.chance(ctx.tlsShare)
    ctx.world.resolve(ctx.host, server, rng, t, (t1) => {
      const objects = Math.max(0, Math.round(sample(rng, p.objects_per_page ?? { dist: "lognormal", median: 12, sigma: 0.8, max: 150 })))
      const conns = Math.max(1, Math.min(6, Math.round(sample(rng, p.connections_per_page ?? { dist: "uniform", low: 1, high: 6 }))))
      const sizes: Array<Array<number>> = Array.from({ length: conns }, () => [])
      sizes[0]!.push(sample(rng, p.page_bytes ?? { dist: "lognormal", median: 30_000, sigma: 0.9, max: 2e6 }))
      for (let i = 0; i < objects; i++) sizes[i % conns]!.push(sample(rng, p.object_bytes ?? { dist: "lognormal", median: 6_000, sigma: 1.6, max: 5e6 }))
      let pending = conns
      let lastUs = t1
      const finished = (tf: number): void => {
        lastUs = Math.max(lastUs, tf)
        if (--pending === 0) page(lastUs + gapUs(ctx, sample(rng, p.think_time_s ?? { dist: "lognormal", median: 20, sigma: 1.2, max: 1800 })))
      }
      sizes.forEach((list, index) => {
        const ch = channelTo(ctx, server, tls, ["http/1.1"])
        const begin = t1 + (index === 0 ? 0 : rng.uniform(50_000, 400_000))
        ch.open(begin, (t2) =>
          fetchAll(ctx, ch, server.name, list, t2, (t3) => {
            const idle = gapUs(ctx, sample(rng, p.idle_close_s ?? { dist: "uniform", low: 5, high: 120 }))
            ch.close(rng.chance(0.6) ? C2S : S2C, t3 + idle)
            finished(t3)
          })
        )
      })
    })
  }
  page(startUs)
}

export const webBrowsingBehaviour = defineBehaviour({
  type: "web_browsing",
  label: "benign",
  summary: "Web browsing: pages of many objects over keep-alive HTTP/1.1 or TLS connections, heavy-tailed sizes, think times",
  params: WebParams,
  defaultPorts: [80, 443],
  defaultTlsShare: 0.85,
  start: browse
})

// ------------------------------------------------------------------ video streaming

export const VideoParams = Schema.Struct({
  bitrate_mbps: Schema.optional(Dist),
  segment_s: Schema.optional(Dist),
  startup_segments: Schema.optional(Schema.Number),
  session_s: Schema.optional(Dist),
  off_s: Schema.optional(Dist)
})
type VideoParams = typeof VideoParams.Type

const stream = (ctx: BehaviourContext, p: VideoParams, startUs: number): void => {
  const rng = ctx.rng
  const session = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const bitrate = sample(rng, p.bitrate_mbps ?? { dist: "uniform", low: 1.5, high: 6 }) * 1e6
    const segment = sample(rng, p.segment_s ?? { dist: "choice", values: [2, 4, 6] })
    const endUs = t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 900, sigma: 0.8 }))
    ctx.world.resolve(ctx.host, server, rng, t, (t1) => {
      const ch = channelTo(ctx, server, rng.chance(ctx.tlsShare), ["h2", "http/1.1"])
      let n = 0
      const next = (tn: number): void => {
        if (tn >= endUs || tn >= ctx.endUs) {
          ch.close(C2S, tn)
          session(tn + gapUs(ctx, sample(rng, p.off_s ?? { dist: "lognormal", median: 1200, sigma: 1 })))
          return
        }
        const bytes = (bitrate * segment) / 8 * rng.uniform(0.8, 1.2)
        const startup = n < (p.startup_segments ?? 5)
        const requested = tn
        n++
        ch.request(tn, httpRequest("GET", server.name, `/v/${rng.hex(12)}/seg-${n}.m4s`, agentFor(ctx), undefined), response(rng, "application/octet-stream", bytes), rng.uniform(2_000, 30_000), (tr) => {
          const wait = startup ? rng.uniform(1_000, 20_000) : Math.max(0, requested + gapUs(ctx, segment * rng.uniform(0.9, 1.1)) - tr)
          ctx.world.engine.at(tr + wait, next)
        })
      }
      ch.open(t1, next)
    })
  }
  session(startUs)
}

export const videoStreamingBehaviour = defineBehaviour({
  type: "video_streaming",
  label: "benign",
  summary: "Video streaming: a start-up burst, then one large segment download every few seconds",
  params: VideoParams,
  defaultPorts: [443],
  defaultTlsShare: 0.95,
  start: stream
})

// ------------------------------------------------------------------ software updates

export const UpdateParams = Schema.Struct({
  check_interval_s: Schema.optional(Dist),
  download_probability: Schema.optional(Schema.Number),
  download_bytes: Schema.optional(Dist)
})
type UpdateParams = typeof UpdateParams.Type

const update = (ctx: BehaviourContext, p: UpdateParams, startUs: number): void => {
  const rng = ctx.rng
  const check = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    ctx.world.resolve(ctx.host, server, rng, t, (t1) => {
      const ch = channelTo(ctx, server, rng.chance(ctx.tlsShare), ["http/1.1"])
      const sizes = [rng.logNormal(3_000, 0.8)]
      if (rng.chance(p.download_probability ?? 0.1)) sizes.push(sample(rng, p.download_bytes ?? { dist: "lognormal", median: 20e6, sigma: 1.2, max: 500e6 }))
      ch.open(t1, (t2) =>
        fetchAll(ctx, ch, server.name, sizes, t2, (t3) => {
          ch.close(C2S, t3 + rng.uniform(1_000, 500_000))
          check(t3 + gapUs(ctx, sample(rng, p.check_interval_s ?? { dist: "normal", mean: 3600, sd: 300, min: 60 })))
        })
      )
    })
  }
  check(startUs)
}

export const softwareUpdateBehaviour = defineBehaviour({
  type: "software_update",
  label: "benign",
  summary: "Software updates: periodic small checks, sometimes a large download",
  params: UpdateParams,
  defaultPorts: [80, 443],
  defaultTlsShare: 0.7,
  start: update
})

// ------------------------------------------------------------------ JSON-RPC API polling (hard negative)

export const JsonRpcApiParams = Schema.Struct({
  poll_interval_s: Schema.optional(Dist),
  session_s: Schema.optional(Dist)
})
type JsonRpcApiParams = typeof JsonRpcApiParams.Type

const API_METHODS = ["eth_blockNumber", "eth_getBalance", "eth_gasPrice", "eth_call", "eth_getTransactionCount", "net_version", "web3_clientVersion"]

const apiClient = (ctx: BehaviourContext, p: JsonRpcApiParams, startUs: number): void => {
  const rng = ctx.rng
  const session = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const endUs = t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 3600, sigma: 1 }))
    ctx.world.resolve(ctx.host, server, rng, t, (t1) => {
      const tls = rng.chance(ctx.tlsShare)
      const ch = openChannel(ctx, server, tls ? 443 : rng.pick(ctx.ports), tls ? { version: "1.3", sni: server.name, family: "openssl", alpn: ["http/1.1"] } : null)
      let id = 1
      const poll = (tp: number): void => {
        if (tp >= endUs || tp >= ctx.endUs) {
          ch.close(C2S, tp)
          session(tp + gapUs(ctx, rng.uniform(10, 600)))
          return
        }
        const method = rng.chance(0.7) ? "eth_blockNumber" : rng.pick(API_METHODS)
        const body = `{"jsonrpc":"2.0","method":"${method}","params":[],"id":${id}}`
        const answer = `{"jsonrpc":"2.0","id":${id},"result":"0x${rng.hex(method === "eth_blockNumber" ? 7 : 16)}"}`
        id++
        const resp = httpResponseHead("application/json", answer.length, "geth") + answer
        ch.request(tp, httpRequest("POST", server.name, "/", "python", body), resp, rng.uniform(500, 20_000), (tr) =>
          ctx.world.engine.at(Math.max(tr, tp + gapUs(ctx, sample(rng, p.poll_interval_s ?? { dist: "normal", mean: 12, sd: 0.5, min: 1 }))), poll)
        )
      }
      ch.open(t1, poll)
    })
  }
  session(startUs)
}

export const jsonRpcApiBehaviour = defineBehaviour({
  type: "jsonrpc_api",
  label: "benign",
  summary: "Blockchain node API client: periodic JSON-RPC over HTTP(S) that is not mining (hard negative)",
  params: JsonRpcApiParams,
  defaultPorts: [8545, 443],
  defaultTlsShare: 0.6,
  start: apiClient
})
