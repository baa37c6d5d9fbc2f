/**
 * Benign UDP behaviours: background DNS lookups (A and AAAA pairs, occasional NXDOMAIN) and
 * NTP clients polling with the usual doubling intervals.
 *
 * Holds: the `dns` and `ntp` behaviours.
 * Does not hold: the lookups other behaviours make before connecting (see `world.ts`).
 */
import { Schema } from "effect"
import { dnsAnswer, dnsQuery } from "../proto/dns.js"
import { ntpReply, ntpRequest } from "../proto/ntp.js"
import { Dist, sample } from "../scenario/dist.js"
import { type BehaviourContext, defineBehaviour, gapUs } from "./behaviour.js"

export const DnsParams = Schema.Struct({
  queries_per_hour: Schema.optional(Schema.Number),
  names: Schema.optional(Schema.Array(Schema.String))
})
type DnsParams = typeof DnsParams.Type

const DEFAULT_NAMES = ["www.google.com", "www.wikipedia.org", "cdn.jsdelivr.net", "api.github.com", "login.microsoftonline.com", "update.example.org", "time.cloudflare.com", "www.bbc.co.uk"]

const dns = (ctx: BehaviourContext, p: DnsParams, startUs: number): void => {
  const rng = ctx.rng
  const rate = (p.queries_per_hour ?? 120) / 3600
  const names = p.names ?? DEFAULT_NAMES
  const resolver = ctx.servers[0] ?? ctx.world.options.resolver
  const query = (t: number): void => {
    if (t >= ctx.endUs) return
    const name = rng.chance(0.2) ? `${rng.hex(6)}.${rng.pick(names)}` : rng.pick(names)
    const types = rng.chance(0.6) ? [1, 28] : [1]
    for (const qtype of types) {
      const { flow, path } = ctx.world.udp(ctx.host, resolver, 53, rng, ctx.label)
      const id = rng.int(0, 0xffff)
      const tq = t + (qtype === 28 ? rng.uniform(20, 300) : 0)
      flow.send(0, tq, dnsQuery(id, name, qtype))
      const addresses = rng.chance(0.05) ? [] : Array.from({ length: rng.int(1, 4) }, () => rng.bytes(qtype === 1 ? 4 : 16))
      flow.send(1, tq + path.nearBaseUs + (rng.chance(0.6) ? 500 : path.farBaseUs) + rng.exponential(3_000), dnsAnswer(id, name, qtype, addresses, rng.int(30, 3600)))
      flow.end()
    }
    ctx.world.engine.at(t + gapUs(ctx, rng.exponential(1 / rate)), query)
  }
  query(startUs)
}

export const dnsBehaviour = defineBehaviour({
  type: "dns",
  label: "benign",
  summary: "Background DNS lookups: A/AAAA pairs, random subdomains, some empty answers",
  params: DnsParams,
  defaultPorts: [53],
  defaultTlsShare: 0,
  start: dns
})

export const NtpParams = Schema.Struct({
  min_poll_s: Schema.optional(Schema.Number),
  max_poll_s: Schema.optional(Schema.Number),
  fixed_source_port: Schema.optional(Schema.Boolean),
  burst: Schema.optional(Dist)
})
type NtpParams = typeof NtpParams.Type

const ntp = (ctx: BehaviourContext, p: NtpParams, startUs: number): void => {
  const rng = ctx.rng
  let poll = p.min_poll_s ?? 64
  const maxPoll = p.max_poll_s ?? 1024
  const fixed = p.fixed_source_port ?? rng.chance(0.4)
  const epoch = ctx.epochStart.getTime() * 1000
  const step = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const { flow, path } = ctx.world.udp(ctx.host, server, 123, rng, ctx.label, fixed ? 123 : undefined)
    const request = epoch + t
    flow.send(0, t, ntpRequest(request))
    const back = t + path.nearBaseUs + path.farBaseUs + rng.exponential(2_000)
    flow.send(1, back, ntpReply(request, request + path.farBaseUs / 2, request + path.farBaseUs / 2 + 30, 0xc0a80101))
    flow.end()
    poll = Math.min(maxPoll, poll * 2)
    ctx.world.engine.at(t + gapUs(ctx, poll * rng.uniform(0.95, 1.05)), step)
  }
  step(startUs)
}

export const ntpBehaviour = defineBehaviour({
  type: "ntp",
  label: "benign",
  summary: "NTP client: 48-byte polls with intervals doubling from 64 s to 1024 s",
  params: NtpParams,
  defaultPorts: [123],
  defaultTlsShare: 0,
  start: ntp
})
