/**
 * Ethereum getwork over HTTP POST (ethminer/Claymore with `-P http://…`): a keep-alive HTTP/1.1
 * connection carrying eth_getWork polls every farm-recheck interval, eth_submitHashrate
 * reports, and eth_submitWork on each share (Poisson at hashrate / difficulty); the proxy
 * closes idle or long-used connections and the miner opens a new one.
 *
 * Holds: the `eth_http` behaviour and its parameters.
 * Does not hold: the raw-TCP ethproxy dialect (see `mining-dialects.ts`).
 */
import { Schema } from "effect"
import { ethGetWork, ethHttpResult, ethSubmitHashrate, ethSubmitWork, ethWork } from "../proto/mining.js"
import { httpRequest, httpResponseHead } from "../proto/http.js"
import { Dist, sample } from "../scenario/dist.js"
import { type BehaviourContext, defineBehaviour, gapUs, openChannel } from "./behaviour.js"

export const EthHttpParams = Schema.Struct({
  hashrate_hs: Schema.optional(Dist),
  difficulty: Schema.optional(Dist),
  poll_interval_s: Schema.optional(Dist),
  report_interval_s: Schema.optional(Dist),
  block_interval_s: Schema.optional(Dist),
  requests_per_connection: Schema.optional(Dist),
  path: Schema.optional(Schema.String)
})
export type EthHttpParams = typeof EthHttpParams.Type

const run = (ctx: BehaviourContext, p: EthHttpParams, startUs: number): void => {
  const rng = ctx.rng
  const hashrate = sample(rng, p.hashrate_hs ?? { dist: "lognormal", median: 30e6, sigma: 0.5 })
  const difficulty = sample(rng, p.difficulty ?? { dist: "choice", values: [4e9, 5e9] })
  const server = ctx.servers[0]!
  const port = rng.pick(ctx.ports)
  const path = p.path ?? `/${`0x${rng.hex(40)}`}/rig${rng.int(1, 20)}`
  const wallet = `0x${rng.hex(40)}`
  let header = rng.hex(64)
  const seed = rng.hex(64)
  let block = rng.int(19_000_000, 19_500_000)
  let nextId = 1
  let nextBlockUs = startUs + gapUs(ctx, sample(rng, p.block_interval_s ?? { dist: "exponential", mean: 13 }))
  let nextReportUs = startUs + gapUs(ctx, sample(rng, p.report_interval_s ?? 30))
  let nextShareUs = startUs + gapUs(ctx, rng.exponential(difficulty / hashrate))
  void wallet

  const connection = (t0: number): void => {
    if (t0 >= ctx.endUs) return
    ctx.world.resolve(ctx.host, server, rng, t0, (t1) => {
      const ch = openChannel(ctx, server, port, null)
      let left = Math.max(1, Math.round(sample(rng, p.requests_per_connection ?? { dist: "lognormal", median: 400, sigma: 0.6 })))
      const post = (t: number): void => {
        if (t >= ctx.endUs) return
        while (t >= nextBlockUs) {
          header = rng.hex(64)
          block++
          nextBlockUs += gapUs(ctx, sample(rng, p.block_interval_s ?? { dist: "exponential", mean: 13 }))
        }
        let body: string
        let answer: string
        const id = nextId++
        if (t >= nextShareUs) {
          body = ethSubmitWork(rng, id, header, true)
          answer = ethHttpResult(id, "true")
          nextShareUs = t + gapUs(ctx, rng.exponential(difficulty / hashrate))
        } else if (t >= nextReportUs) {
          body = ethSubmitHashrate(rng, id, hashrate * rng.uniform(0.97, 1.03), true)
          answer = ethHttpResult(id, "true")
          nextReportUs = t + gapUs(ctx, sample(rng, p.report_interval_s ?? 30))
        } else {
          body = ethGetWork(id, true)
          answer = ethWork(id, header, seed, difficulty, block)
        }
        const request = httpRequest("POST", `${server.name}:${port}`, path, "ethminer", body)
        const response = httpResponseHead("application/json", Buffer.byteLength(answer), "ethproxy") + answer
        left--
        ch.request(t, request, response, rng.uniform(300, 3_000), (tr) => {
          if (left <= 0) {
            ch.close(S2C_CLOSE, tr)
            connection(tr + gapUs(ctx, rng.uniform(0.05, 1)))
            return
          }
          const interval = gapUs(ctx, sample(rng, p.poll_interval_s ?? { dist: "normal", mean: 0.5, sd: 0.01, min: 0.05 }))
          ctx.world.engine.at(Math.max(tr, t + interval), post)
        })
      }
      ch.open(t1, post)
    })
  }
  connection(startUs)
}

const S2C_CLOSE = 1

export const ethHttpBehaviour = defineBehaviour({
  type: "eth_http",
  label: "mining",
  summary: "Ethereum getwork over HTTP POST (ethminer -P http://): eth_getWork polls, eth_submitHashrate, eth_submitWork",
  params: EthHttpParams,
  defaultPorts: [8545, 8080, 8888, 80],
  defaultTlsShare: 0,
  start: run
})
