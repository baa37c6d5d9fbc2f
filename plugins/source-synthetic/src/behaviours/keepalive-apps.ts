/**
 * Long-lived, low-rate benign applications whose timing resembles mining (the hard
 * negatives): MQTT IoT devices (telemetry every N s, PINGREQ/PINGRESP when quiet), chat and
 * WebSocket clients (heartbeats every ~30 s both ways, occasional messages) and cloud sync
 * clients (long polls held open by the server, bursts of file transfer).
 *
 * Holds: the `mqtt_iot`, `websocket_chat` and `cloud_sync` behaviours and their parameters.
 * Does not hold: request/response browsing (see `web.ts`).
 */
import { Schema } from "effect"
import { httpRequest, httpResponseHead } from "../proto/http.js"
import { MQTT_CONNACK, MQTT_PINGREQ, MQTT_PINGRESP, mqttConnect, mqttPublish, mqttSuback, mqttSubscribe } from "../proto/mqtt.js"
import { Dist, sample } from "../scenario/dist.js"
import { C2S, S2C } from "../sim/tcp.js"
import { type BehaviourContext, defineBehaviour, gapUs, openChannel } from "./behaviour.js"

/** Run `fn` every `period()` µs from `first` while `alive()`. */
const repeat = (ctx: BehaviourContext, first: number, period: () => number, alive: () => boolean, fn: (t: number) => void): void => {
  const tick = (t: number): void => {
    if (!alive() || t >= ctx.endUs) return
    fn(t)
    ctx.world.engine.at(t + period(), tick)
  }
  ctx.world.engine.at(first, tick)
}

// ------------------------------------------------------------------ MQTT

export const MqttParams = Schema.Struct({
  keepalive_s: Schema.optional(Dist),
  publish_interval_s: Schema.optional(Dist),
  publish_jitter_s: Schema.optional(Schema.Number),
  payload_bytes: Schema.optional(Dist),
  session_s: Schema.optional(Dist)
})
type MqttParams = typeof MqttParams.Type

const mqtt = (ctx: BehaviourContext, p: MqttParams, startUs: number): void => {
  const rng = ctx.rng
  const keepalive = Math.round(sample(rng, p.keepalive_s ?? { dist: "choice", values: [30, 60, 60, 120] }))
  const publishEvery = sample(rng, p.publish_interval_s ?? { dist: "choice", values: [10, 30, 60, 300] })
  const jitter = p.publish_jitter_s ?? 0.05
  const clientId = `dev-${rng.hex(12)}`
  const topic = `sensors/${rng.hex(6)}/telemetry`
  const session = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const tls = rng.chance(ctx.tlsShare)
    const ch = openChannel(ctx, server, tls ? 8883 : (ctx.ports.find((x) => x !== 8883) ?? 1883), tls ? { version: "1.2", sni: server.name, family: "openssl", alpn: [] } : null)
    let alive = true
    let lastSentUs = t
    const endUs = t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 86_400, sigma: 1 }))
    ch.conn.onClosed = (tc) => {
      if (alive) {
        alive = false
        session(tc + gapUs(ctx, rng.uniform(1, 30)))
      }
    }
    ctx.world.resolve(ctx.host, server, rng, t, (t1) =>
      ch.open(t1, (t2) => {
        ch.request(t2, mqttConnect(clientId, keepalive, rng.chance(0.5) ? `user${rng.int(1, 99)}` : undefined), MQTT_CONNACK, rng.uniform(500, 5_000), (t3) => {
          ch.request(t3, mqttSubscribe(1, `devices/${clientId}/cmd`), mqttSuback(1), rng.uniform(200, 2_000), (t4) => {
            lastSentUs = t4
            repeat(ctx, t4 + gapUs(ctx, publishEvery), () => gapUs(ctx, publishEvery + rng.uniform(-jitter, jitter)), () => alive && ch.conn.isOpen, (tp) => {
              const payload = `{"t":${Math.floor(tp / 1e3)},"v":${rng.uniform(0, 100).toFixed(2)},"pad":"${"x".repeat(Math.max(0, Math.round(sample(rng, p.payload_bytes ?? { dist: "uniform", low: 20, high: 200 }))))}"}`
              lastSentUs = tp
              ch.send(C2S, tp, mqttPublish(topic, payload))
            })
            const period = gapUs(ctx, keepalive)
            const ping = (tk: number): void => {
              if (!alive || !ch.conn.isOpen || tk >= ctx.endUs) return
              if (tk - lastSentUs >= period - 1) {
                lastSentUs = tk
                ch.request(tk, MQTT_PINGREQ, MQTT_PINGRESP, rng.uniform(100, 2_000))
              }
              ctx.world.engine.at(lastSentUs + period, ping)
            }
            ctx.world.engine.at(t4 + period, ping)
            ctx.world.engine.at(endUs, (te) => {
              if (!alive) return
              alive = false
              ch.close(C2S, te)
              session(te + gapUs(ctx, rng.uniform(1, 60)))
            })
          })
        })
      })
    )
  }
  session(startUs)
}

export const mqttIotBehaviour = defineBehaviour({
  type: "mqtt_iot",
  label: "benign",
  summary: "MQTT IoT device: periodic telemetry and PINGREQ/PINGRESP heartbeats on a long-lived connection",
  params: MqttParams,
  defaultPorts: [1883, 8883],
  defaultTlsShare: 0.3,
  start: mqtt
})

// ------------------------------------------------------------------ chat / WebSocket

export const ChatParams = Schema.Struct({
  heartbeat_s: Schema.optional(Dist),
  messages_per_hour: Schema.optional(Schema.Number),
  message_bytes: Schema.optional(Dist),
  session_s: Schema.optional(Dist)
})
type ChatParams = typeof ChatParams.Type

const chat = (ctx: BehaviourContext, p: ChatParams, startUs: number): void => {
  const rng = ctx.rng
  const heartbeat = sample(rng, p.heartbeat_s ?? { dist: "choice", values: [25, 30, 41.25, 45] })
  const session = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const ch = openChannel(ctx, server, rng.pick(ctx.ports), rng.chance(ctx.tlsShare) ? { version: "1.3", sni: server.name, family: "browser", alpn: ["http/1.1"] } : null)
    let alive = true
    const endUs = t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 14_400, sigma: 0.7 }))
    ctx.world.resolve(ctx.host, server, rng, t, (t1) =>
      ch.open(t1, (t2) => {
        const upgrade = httpRequest("GET", server.name, `/gateway/?v=10&encoding=json`, "chrome", undefined).replace(
          "Connection: keep-alive",
          `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${rng.bytes(16).toString("base64")}`
        )
        const accepted = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${rng.bytes(20).toString("base64")}\r\n\r\n`
        ch.request(t2, upgrade, accepted, rng.uniform(2_000, 20_000), (t3) => {
          repeat(ctx, t3 + gapUs(ctx, heartbeat * rng.next()), () => gapUs(ctx, heartbeat * rng.uniform(0.98, 1.02)), () => alive, (th) =>
            ch.request(th, rng.int(20, 40), rng.int(10, 20), rng.uniform(1_000, 30_000))
          )
          const rate = (p.messages_per_hour ?? 20) / 3600
          if (rate > 0) {
            repeat(ctx, t3 + gapUs(ctx, rng.exponential(1 / rate)), () => gapUs(ctx, rng.exponential(1 / rate)), () => alive, (tm) => {
              const size = sample(rng, p.message_bytes ?? { dist: "lognormal", median: 300, sigma: 1, max: 60_000 })
              if (rng.chance(0.5)) ch.request(tm, size, rng.int(100, 400), rng.uniform(5_000, 50_000))
              else ch.push(tm, size)
            })
          }
          ctx.world.engine.at(endUs, (te) => {
            alive = false
            ch.close(rng.chance(0.5) ? C2S : S2C, te)
            session(te + gapUs(ctx, rng.uniform(1, 120)))
          })
        })
      })
    )
  }
  session(startUs)
}

export const websocketChatBehaviour = defineBehaviour({
  type: "websocket_chat",
  label: "benign",
  summary: "Chat / WebSocket client: heartbeats every ~30 s both ways and occasional messages on a long-lived TLS connection",
  params: ChatParams,
  defaultPorts: [443],
  defaultTlsShare: 1,
  start: chat
})

// ------------------------------------------------------------------ cloud sync

export const SyncParams = Schema.Struct({
  long_poll_s: Schema.optional(Dist),
  changes_per_hour: Schema.optional(Schema.Number),
  file_bytes: Schema.optional(Dist)
})
type SyncParams = typeof SyncParams.Type

const sync = (ctx: BehaviourContext, p: SyncParams, startUs: number): void => {
  const rng = ctx.rng
  const server = rng.pick(ctx.servers)
  const ch = openChannel(ctx, server, 443, { version: "1.3", sni: server.name, family: "openssl", alpn: ["h2", "http/1.1"] })
  ctx.world.resolve(ctx.host, server, rng, startUs, (t1) =>
    ch.open(t1, (t2) => {
      const poll = (t: number): void => {
        if (t >= ctx.endUs || !ch.conn.isOpen) return
        const hold = gapUs(ctx, sample(rng, p.long_poll_s ?? { dist: "uniform", low: 60, high: 90 }))
        ch.request(t, rng.int(350, 600), rng.int(150, 500), hold, (tr) => poll(tr + rng.uniform(1_000, 50_000)))
      }
      poll(t2)
      const rate = (p.changes_per_hour ?? 4) / 3600
      if (rate > 0) {
        repeat(ctx, t2 + gapUs(ctx, rng.exponential(1 / rate)), () => gapUs(ctx, rng.exponential(1 / rate)), () => ch.conn.isOpen, (tc) => {
          const bytes = sample(rng, p.file_bytes ?? { dist: "lognormal", median: 200_000, sigma: 1.8, max: 200e6 })
          const upload = rng.chance(0.5)
          const transfer = openChannel(ctx, server, 443, { version: "1.3", sni: server.name, family: "openssl", alpn: ["h2"] })
          transfer.open(tc, (to) => {
            const head = httpRequest(upload ? "PUT" : "GET", server.name, `/files/${rng.hex(16)}`, "python", undefined)
            ch.request(to, rng.int(300, 500), rng.int(200, 400), rng.uniform(5_000, 40_000))
            transfer.request(to, upload ? head.length + bytes : head.length, upload ? httpResponseHead("application/json", 120).length + 120 : bytes, rng.uniform(5_000, 40_000), (tf) =>
              transfer.close(C2S, tf + rng.uniform(1_000, 2e6))
            )
          })
        })
      }
      void S2C
    })
  )
}

export const cloudSyncBehaviour = defineBehaviour({
  type: "cloud_sync",
  label: "benign",
  summary: "Cloud sync client: a long-poll connection held open by the server, plus file transfers on change",
  params: SyncParams,
  defaultPorts: [443],
  defaultTlsShare: 1,
  start: sync
})
