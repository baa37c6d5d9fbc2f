/**
 * Mining behaviours on persistent connections: a miner logs in to a pool, receives jobs
 * (jittered pushes every 30–90 s, immediate ones on a new block), submits shares as a Poisson
 * process with rate hashrate / (difficulty × 2^32) or the coin's equivalent, retargets
 * difficulty, sends keepalives or getwork polls, and reconnects after its session ends or a
 * refused connect (failing over to the next pool). Any of them can run over TLS.
 *
 * Holds: the shared `MiningParams` Schema, the session runner, and the behaviour definitions
 * `stratum_btc`, `stratum_zec`, `xmrig`, `xmr_stak`, `eth_stratum`.
 * Does not hold: message formats (see `proto/mining.ts`, `mining-dialects.ts`) or the
 * HTTP getwork miner (see `mining-http.ts`).
 */
import { Schema } from "effect"
import { Choice, Dist, sample, sampleChoice } from "../scenario/dist.js"
import { C2S, S2C } from "../sim/tcp.js"
import type { TlsVersion } from "../proto/tls.js"
import { type BehaviourContext, type BehaviourDef, defineBehaviour, gapUs, openChannel } from "./behaviour.js"
import type { Channel } from "./channel.js"
import { type Dialect, ethStratum, newSession, type SessionState, stratumBtc, stratumZec, xmrig, xmrStak } from "./mining-dialects.js"

export const MiningParams = Schema.Struct({
  /** hashes (ZCash: solutions) per second of this miner */
  hashrate_hs: Schema.optional(Dist),
  /** pool difficulty at login */
  difficulty: Schema.optional(Dist),
  /** > 0: the pool retargets difficulty so that shares come about every this many seconds */
  vardiff_target_s: Schema.optional(Schema.Number),
  retarget_interval_s: Schema.optional(Dist),
  job_interval_s: Schema.optional(Dist),
  block_interval_s: Schema.optional(Dist),
  session_s: Schema.optional(Dist),
  reconnect_delay_s: Schema.optional(Dist),
  /** share of sessions ended with RST instead of FIN */
  reset_probability: Schema.optional(Schema.Number),
  /** share of connects the pool refuses */
  refused_probability: Schema.optional(Schema.Number),
  reject_rate: Schema.optional(Schema.Number),
  keepalive_s: Schema.optional(Schema.Number),
  poll_interval_s: Schema.optional(Dist),
  report_interval_s: Schema.optional(Dist),
  agent: Schema.optional(Choice),
  tls_version: Schema.optional(Choice)
})
export type MiningParams = typeof MiningParams.Type

interface Defaults {
  readonly hashrate: Dist
  readonly difficulty: Dist
  readonly vardiffTargetS: number
  readonly jobInterval: Dist
  readonly blockInterval: Dist
  readonly agent: Choice
  readonly wallet: "btc" | "zec" | "xmr" | "eth"
}

const SERVER_MS = { dist: "lognormal", median: 3, sigma: 0.8, max: 200 } as const

const runMiner = (base: BehaviourContext, dialect: Dialect, defaults: Defaults, p: MiningParams, startUs: number): void => {
  const rng = base.rng
  const hashrate = sample(rng, p.hashrate_hs ?? defaults.hashrate)
  const agent = sampleChoice(rng, p.agent ?? defaults.agent)
  const tlsVersion = sampleChoice(rng, p.tls_version ?? { choice: ["1.2", "1.3"], weights: [1, 2] }) === "1.2" ? "1.2" : "1.3"
  const useTls = rng.chance(base.tlsShare)
  // Stratum over TLS is labelled as its own behaviour: `<type>_tls`
  const ctx: BehaviourContext = useTls ? { ...base, label: { ...base.label, behaviour: `${base.label.behaviour}_tls` } } : base
  const ports = ctx.servers.map(() => rng.pick(ctx.ports))
  const rejectRate = p.reject_rate ?? 0.01
  const serverUs = (): number => sample(rng, SERVER_MS) * 1000

  const session = (attempt: number, timeUs: number): void => {
    if (timeUs >= ctx.endUs) return
    const index = attempt % ctx.servers.length
    const server = ctx.servers[index]!
    const port = ports[index]!
    ctx.world.resolve(ctx.host, server, rng, timeUs, (t0) => {
      const ch = openChannel(ctx, server, port, useTls ? { version: tlsVersion as TlsVersion, sni: server.name, family: "openssl", alpn: [] } : null)
      const retry = (t: number): void => session(attempt + 1, t + gapUs(ctx, sample(rng, p.reconnect_delay_s ?? { dist: "uniform", low: 2, high: 30 })))
      if (rng.chance(p.refused_probability ?? 0.02)) {
        ch.conn.onClosed = retry
        ch.open(t0, () => {}, true)
        return
      }
      const s = newSession(rng.fork("session"), agent, server.name, port, defaults.wallet)
      s.hashrate = hashrate
      s.difficulty = sample(rng, p.difficulty ?? defaults.difficulty)
      s.ntime = Math.floor(ctx.epochStart.getTime() / 1000 + t0 / 1e6)
      let alive = true
      let lastClientUs = t0
      const clientSend = (t: number, line: string, onSent?: (t: number) => void): void => {
        lastClientUs = t
        ch.send(C2S, t, line, onSent)
      }
      const answer = (tc: number, lines: ReadonlyArray<string | ReadonlyArray<string>>, done?: (t: number) => void): void => {
        let t = tc + ch.conn.farRtt() + serverUs()
        if (lines.length === 0) {
          if (done !== undefined) done(tc + ch.conn.fullRtt())
          return
        }
        lines.forEach((line, i) => {
          const last = i === lines.length - 1
          const onSent = last && done !== undefined ? (ts: number) => done(ts + ch.conn.nearRtt() + rng.uniform(50, 2_000)) : undefined
          if (typeof line === "string") ch.send(S2C, t, line, onSent)
          else ch.sendTogether(S2C, t, line, onSent)
          t += rng.uniform(5, 60)
        })
      }
      const login = (steps: ReturnType<Dialect["login"]>, i: number, t: number): void => {
        const step = steps[i]
        if (step === undefined) {
          afterLogin(t)
          return
        }
        if (step.pipelined === true) {
          clientSend(t, step.request)
          login(steps, i + 1, t + rng.uniform(100, 400))
          return
        }
        clientSend(t, step.request, (tc) => answer(tc, step.answers, (tn) => login(steps, i + 1, tn)))
      }
      const end = (t: number): void => {
        if (!alive) return
        alive = false
        const r = rng.next()
        const reset = r < (p.reset_probability ?? 0.3)
        if (reset) ch.conn.reset(C2S, t)
        else if (r > 0.85) ch.close(S2C, t)
        else ch.close(C2S, t)
        retry(t)
      }
      const every = (first: number, next: () => number, fn: (t: number) => void): void => {
        const tick = (t: number): void => {
          if (!alive || t >= ctx.endUs) return
          fn(t)
          ctx.world.engine.at(t + next(), tick)
        }
        ctx.world.engine.at(first, tick)
      }
      const afterLogin = (t: number): void => {
        let tp = t + ch.conn.farRtt()
        for (const group of dialect.afterLogin(s)) {
          ch.sendTogether(S2C, tp, group)
          tp += gapUs(ctx, rng.uniform(0.2, 1.2))
        }
        const rate = dialect.shareRate(hashrate, s.difficulty)
        const shareGap = (): number => gapUs(ctx, rng.exponential(1 / Math.max(1e-9, dialect.shareRate(hashrate, s.difficulty))))
        every(t + (rate > 0 ? shareGap() : 1e15), shareGap, (ts) => {
          const share = dialect.submit(s)
          clientSend(ts, share.request, (tc) => answer(tc, [rng.chance(rejectRate) ? share.rejected : share.accepted]))
        })
        const jobGap = (): number => gapUs(ctx, sample(rng, p.job_interval_s ?? defaults.jobInterval))
        every(t + jobGap(), jobGap, (tj) => {
          for (const line of dialect.job(s, false)) ch.push(tj, line)
        })
        const blockGap = (): number => gapUs(ctx, sample(rng, p.block_interval_s ?? defaults.blockInterval))
        every(t + blockGap(), blockGap, (tb) => {
          s.ntime = Math.floor(ctx.epochStart.getTime() / 1000 + tb / 1e6)
          s.height++
          for (const line of dialect.job(s, true)) ch.push(tb, line)
        })
        const vardiff = p.vardiff_target_s ?? defaults.vardiffTargetS
        if (vardiff > 0) {
          const retarget = (): number => gapUs(ctx, sample(rng, p.retarget_interval_s ?? { dist: "uniform", low: 90, high: 300 }))
          // pools retarget soon after login, then every few minutes
          every(t + gapUs(ctx, rng.uniform(15, 60)), retarget, (tv) => {
            const ideal = (hashrate * vardiff) / (dialect.shareRate(1, 1) > 0 ? 1 / dialect.shareRate(1, 1) : 1)
            const next = Math.max(1e-3, ideal * rng.uniform(0.8, 1.25))
            if (Math.abs(next - s.difficulty) / s.difficulty < 0.1) return
            s.difficulty = next
            const line = dialect.difficulty(s)
            if (line !== null) ch.sendTogether(S2C, tv, [line, ...dialect.job(s, false)])
            else for (const job of dialect.job(s, false)) ch.push(tv, job)
          })
        }
        const keepalive = dialect.keepalive
        if (keepalive !== null) {
          const period = gapUs(ctx, p.keepalive_s ?? 60)
          every(t + period, () => period, (tk) => {
            if (tk - lastClientUs < period * 0.99) return
            const k = keepalive(s)
            clientSend(tk, k.request, (tc) => answer(tc, [k.answer]))
          })
        }
        const poll = dialect.poll
        if (poll !== null) {
          const gap = (): number => gapUs(ctx, sample(rng, p.poll_interval_s ?? { dist: "normal", mean: 10, sd: 0.02, min: 0.5 }))
          every(t + gap(), gap, (tq) => {
            const q = poll(s)
            clientSend(tq, q.request, (tc) => answer(tc, q.answer === null ? [] : [q.answer]))
          })
        }
        const report = dialect.report
        if (report !== null) {
          const gap = (): number => gapUs(ctx, sample(rng, p.report_interval_s ?? { dist: "normal", mean: 20, sd: 0.03, min: 1 }))
          every(t + gap(), gap, (tr) => clientSend(tr, report(s)))
        }
        ctx.world.engine.at(t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 5400, sigma: 0.8 })), end)
      }
      ch.conn.onClosed = (t) => {
        if (alive) {
          alive = false
          retry(t)
        }
      }
      ch.open(t0, (t) => login(dialect.login(s), 0, t))
    })
  }
  session(0, startUs)
}

const define = (type: string, summary: string, dialect: Dialect, defaults: Defaults, ports: ReadonlyArray<number>): BehaviourDef =>
  defineBehaviour({
    type,
    label: "mining",
    summary,
    params: MiningParams,
    defaultPorts: ports,
    defaultTlsShare: 0,
    start: (ctx, params: MiningParams, startUs) => runMiner(ctx, dialect, defaults, params, startUs)
  })

export const stratumBtcBehaviour = define(
  "stratum_btc",
  "Stratum v1, Bitcoin form (cgminer/bmminer): subscribe, authorize, set_difficulty, notify, submit",
  stratumBtc,
  {
    hashrate: { dist: "lognormal", median: 100e12, sigma: 0.6 },
    difficulty: { dist: "choice", values: [65_536, 131_072, 262_144, 524_288] },
    vardiffTargetS: 0,
    jobInterval: { dist: "uniform", low: 30, high: 60 },
    blockInterval: { dist: "exponential", mean: 600 },
    agent: { choice: ["cgminer/4.10.0", "bmminer/2.0.0", "bfgminer/5.5.0"], weights: [3, 3, 1] },
    wallet: "btc"
  },
  [3333, 4444, 25, 443, 700, 1800]
)

export const stratumZecBehaviour = define(
  "stratum_zec",
  "Stratum v1, ZCash form (EWBF/Claymore): subscribe with host, set_target, notify, Equihash submits",
  stratumZec,
  {
    hashrate: { dist: "lognormal", median: 1_600, sigma: 0.5 },
    difficulty: { dist: "choice", values: [8_000, 16_000, 32_000] },
    vardiffTargetS: 0,
    jobInterval: { dist: "uniform", low: 60, high: 180 },
    blockInterval: { dist: "exponential", mean: 150 },
    agent: { choice: ["EWBF 0.3.4b", "EWBF 0.3.4b", "Claymore ZEC 12.6"] },
    wallet: "zec"
  },
  [3333, 3357, 5555, 13333]
)

export const xmrigBehaviour = define(
  "xmrig",
  "Monero JSON-RPC as XMRig speaks it: login, job, submit, keepalived",
  xmrig,
  {
    hashrate: { dist: "lognormal", median: 6_000, sigma: 0.8 },
    difficulty: { dist: "choice", values: [50_000, 100_000, 200_000] },
    vardiffTargetS: 30,
    jobInterval: { dist: "uniform", low: 90, high: 240 },
    blockInterval: { dist: "exponential", mean: 120 },
    agent: "xmrig",
    wallet: "xmr"
  },
  [3333, 4444, 5555, 7777, 9999, 14444, 10128, 443, 80]
)

export const xmrStakBehaviour = define(
  "xmr_stak",
  "Monero JSON-RPC as xmr-stak speaks it (no keepalived, fixed request id)",
  xmrStak,
  {
    hashrate: { dist: "lognormal", median: 550, sigma: 0.4 },
    difficulty: { dist: "choice", values: [15_000, 20_000, 25_000] },
    vardiffTargetS: 0,
    jobInterval: { dist: "uniform", low: 90, high: 240 },
    blockInterval: { dist: "exponential", mean: 120 },
    agent: "xmr-stak",
    wallet: "xmr"
  },
  [3333, 5555, 7777, 9050]
)

export const ethStratumBehaviour = define(
  "eth_stratum",
  "Ethereum getwork over raw TCP (ethproxy stratum): eth_submitLogin, eth_getWork polls, eth_submitHashrate, eth_submitWork",
  ethStratum,
  {
    hashrate: { dist: "lognormal", median: 30e6, sigma: 0.5 },
    difficulty: { dist: "choice", values: [4e9, 5e9, 1e10] },
    vardiffTargetS: 0,
    jobInterval: { dist: "uniform", low: 60, high: 120 },
    blockInterval: { dist: "exponential", mean: 10 },
    agent: "ethminer",
    wallet: "eth"
  },
  [9999, 8008, 4444, 14444, 3333]
)
