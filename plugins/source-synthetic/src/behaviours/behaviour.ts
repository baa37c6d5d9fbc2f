/**
 * What a behaviour is: a labelled traffic pattern with a parameter Schema, started once per
 * instance on a host, that schedules its own work on the engine.
 *
 * Holds: `BehaviourDef` (type, label, parameter Schema, default ports, start) and
 * `BehaviourContext` (the host, servers, ports, TLS share, a private random stream, time
 * compression of application gaps, and channel construction).
 * Does not hold: any particular behaviour (see `mining.ts`, `web.ts`, …).
 */
import { Either, Schema } from "effect"
import type { Rng } from "../sim/prng.js"
import { Channel, type TlsOptions } from "./channel.js"
import type { FlowLabel, Host, Server, World } from "./world.js"

export interface BehaviourContext {
  readonly world: World
  readonly host: Host
  readonly rng: Rng
  readonly label: FlowLabel
  readonly servers: ReadonlyArray<Server>
  /** ports from the scenario entry (else the behaviour's defaults) */
  readonly ports: ReadonlyArray<number>
  /** probability that a connection uses TLS */
  readonly tlsShare: number
  /** application gaps are divided by this */
  readonly compression: number
  readonly endUs: number
  readonly epochStart: Date
}

/** What a behaviour module writes: its parameter Schema and a typed `start`. */
export interface BehaviourSpec<P, I> {
  readonly type: string
  readonly label: "mining" | "benign"
  readonly summary: string
  readonly params: Schema.Schema<P, I>
  readonly defaultPorts: ReadonlyArray<number>
  readonly defaultTlsShare: number
  readonly start: (ctx: BehaviourContext, params: P, startUs: number) => void
}

/** A behaviour as the catalogue holds it: parameters are decoded inside `start`. */
export interface BehaviourDef {
  readonly type: string
  readonly label: "mining" | "benign"
  readonly summary: string
  readonly params: Schema.Schema.AnyNoContext
  readonly defaultPorts: ReadonlyArray<number>
  readonly defaultTlsShare: number
  /** decode `rawParams` (unknown keys refused) and start; false when they do not decode */
  readonly start: (ctx: BehaviourContext, rawParams: unknown, startUs: number) => boolean
}

export const defineBehaviour = <P, I>(spec: BehaviourSpec<P, I>): BehaviourDef => {
  const decode = Schema.decodeUnknownEither(spec.params, { onExcessProperty: "error" })
  return {
    type: spec.type,
    label: spec.label,
    summary: spec.summary,
    params: spec.params,
    defaultPorts: spec.defaultPorts,
    defaultTlsShare: spec.defaultTlsShare,
    start: (ctx, rawParams, startUs) => {
      const decoded = decode(rawParams ?? {})
      if (Either.isLeft(decoded)) return false
      spec.start(ctx, decoded.right, startUs)
      return true
    }
  }
}

/** An application gap of `seconds` in capture µs (after time compression). */
export const gapUs = (ctx: BehaviourContext, seconds: number): number => (Math.max(0, seconds) * 1e6) / ctx.compression

/** A new TCP connection to `server:port`, wrapped in a (TLS) channel. */
export const openChannel = (ctx: BehaviourContext, server: Server, port: number, tls: TlsOptions | null): Channel => {
  const conn = ctx.world.tcp(ctx.host, server, port, ctx.rng, ctx.label)
  return new Channel(conn, ctx.rng, tls, ctx.epochStart)
}

/** Pick a server and a port (weights: earlier servers more often). */
export const pickServer = (ctx: BehaviourContext): Server => ctx.rng.pick(ctx.servers)
export const pickPort = (ctx: BehaviourContext): number => ctx.rng.pick(ctx.ports)
