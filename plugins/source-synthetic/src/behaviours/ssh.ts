/**
 * SSH sessions: the cleartext banner and key exchange, then aes256-gcm packets. Interactive
 * sessions type in bursts (one 36-byte packet per key, echoed), get command output in bursts
 * and send keepalives when idle; bulk sessions (scp) move one large file.
 *
 * Holds: the `ssh_interactive` and `ssh_bulk` behaviours and the encrypted-packet chunk.
 * Does not hold: the handshake message formats (see `proto/ssh.ts`).
 */
import { Schema } from "effect"
import { sshBanner, sshEncryptedLength, sshKexEcdhInit, sshKexEcdhReply, sshKexInit, sshNewKeys } from "../proto/ssh.js"
import { Dist, sample } from "../scenario/dist.js"
import type { Rng } from "../sim/prng.js"
import { type Chunk, FillerChunk } from "../sim/stream-chunks.js"
import { C2S, S2C } from "../sim/tcp.js"
import { type BehaviourContext, defineBehaviour, gapUs, openChannel } from "./behaviour.js"
import type { Channel } from "./channel.js"

/** `count` encrypted packets of `payload` bytes each (length, body and tag are all ciphertext). */
const encrypted = (rng: Rng, payload: number, count = 1): Chunk => new FillerChunk(sshEncryptedLength(payload) * count, rng.nextU32())

/** Banners, KEXINITs, ECDH, NEWKEYS, then user auth; `ready` when the shell is open. */
const handshake = (ctx: BehaviourContext, ch: Channel, t: number, ready: (t: number) => void): void => {
  const rng = ctx.rng
  ch.request(t, sshBanner("OpenSSH_9.2p1 Debian-2+deb12u2"), sshBanner("OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"), rng.uniform(500, 3_000), (t1) => {
    ch.request(t1, sshKexInit(rng, true), sshKexInit(rng, false), rng.uniform(200, 2_000), (t2) => {
      ch.request(t2, sshKexEcdhInit(rng), Buffer.concat([sshKexEcdhReply(rng), sshNewKeys(rng)]), rng.uniform(1_000, 5_000), (t3) => {
        ch.send(C2S, t3, sshNewKeys(rng))
        ch.request(t3 + 200, encrypted(rng, 22), encrypted(rng, 22), rng.uniform(300, 3_000), (t4) => {
          ch.request(t4, encrypted(rng, 60 + rng.int(0, 400)), encrypted(rng, 1), rng.uniform(2_000, 40_000), (t5) => {
            ch.request(t5, encrypted(rng, 30), encrypted(rng, 20), rng.uniform(300, 3_000), (t6) => {
              ch.request(t6, encrypted(rng, 80), encrypted(rng, 200), rng.uniform(1_000, 20_000), ready)
            })
          })
        })
      })
    })
  })
}

export const SshInteractiveParams = Schema.Struct({
  keystroke_gap_s: Schema.optional(Dist),
  command_gap_s: Schema.optional(Dist),
  output_bytes: Schema.optional(Dist),
  keepalive_s: Schema.optional(Schema.Number),
  session_s: Schema.optional(Dist)
})
type SshInteractiveParams = typeof SshInteractiveParams.Type

const interactive = (ctx: BehaviourContext, p: SshInteractiveParams, startUs: number): void => {
  const rng = ctx.rng
  const session = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const ch = openChannel(ctx, server, rng.pick(ctx.ports), null)
    const endUs = t + gapUs(ctx, sample(rng, p.session_s ?? { dist: "lognormal", median: 1800, sigma: 1 }))
    const keepalive = gapUs(ctx, p.keepalive_s ?? 60)
    let lastUs = t
    const command = (tc: number): void => {
      if (tc >= endUs || tc >= ctx.endUs) {
        ch.request(tc, encrypted(rng, 16), encrypted(rng, 40), 500, (tx) => ch.close(S2C, tx))
        session(tc + gapUs(ctx, rng.exponential(3600)))
        return
      }
      // keepalives while the user is idle
      while (tc - lastUs > keepalive) {
        lastUs += keepalive
        ch.request(lastUs, encrypted(rng, 36), encrypted(rng, 20), rng.uniform(200, 2_000))
      }
      const keys = rng.int(2, 25)
      let tk = tc
      for (let i = 0; i < keys; i++) {
        ch.request(tk, encrypted(rng, 10), encrypted(rng, 10), rng.uniform(50, 400))
        tk += gapUs(ctx, sample(rng, p.keystroke_gap_s ?? { dist: "lognormal", median: 0.15, sigma: 0.5, max: 2 }))
      }
      const output = sample(rng, p.output_bytes ?? { dist: "lognormal", median: 600, sigma: 1.8, max: 2e6 })
      const packets = Math.max(1, Math.ceil(output / 16_000))
      ch.request(tk, encrypted(rng, 10), encrypted(rng, Math.min(16_000, Math.round(output / packets)), packets), rng.uniform(1_000, 200_000), (tr) => {
        lastUs = tr
        command(tr + gapUs(ctx, sample(rng, p.command_gap_s ?? { dist: "lognormal", median: 6, sigma: 1.2, max: 900 })))
      })
    }
    ctx.world.resolve(ctx.host, server, rng, t, (t1) => ch.open(t1, (t2) => handshake(ctx, ch, t2, (t3) => {
      lastUs = t3
      command(t3)
    })))
  }
  session(startUs)
}

export const sshInteractiveBehaviour = defineBehaviour({
  type: "ssh_interactive",
  label: "benign",
  summary: "Interactive SSH: keystrokes echoed as 36-byte packets, bursts of output, idle keepalives",
  params: SshInteractiveParams,
  defaultPorts: [22, 2222],
  defaultTlsShare: 0,
  start: interactive
})

export const SshBulkParams = Schema.Struct({
  file_bytes: Schema.optional(Dist),
  interval_s: Schema.optional(Dist),
  upload_probability: Schema.optional(Schema.Number)
})
type SshBulkParams = typeof SshBulkParams.Type

const bulk = (ctx: BehaviourContext, p: SshBulkParams, startUs: number): void => {
  const rng = ctx.rng
  const transfer = (t: number): void => {
    if (t >= ctx.endUs) return
    const server = rng.pick(ctx.servers)
    const ch = openChannel(ctx, server, rng.pick(ctx.ports), null)
    const bytes = sample(rng, p.file_bytes ?? { dist: "lognormal", median: 30e6, sigma: 1.2, max: 2e9 })
    const packets = Math.max(1, Math.ceil(bytes / 32_768))
    const upload = rng.chance(p.upload_probability ?? 0.5)
    ctx.world.resolve(ctx.host, server, rng, t, (t1) =>
      ch.open(t1, (t2) =>
        handshake(ctx, ch, t2, (t3) => {
          const data = encrypted(rng, 32_768, packets)
          const finish = (tf: number): void => {
            ch.close(C2S, tf + rng.uniform(1_000, 50_000))
            transfer(tf + gapUs(ctx, sample(rng, p.interval_s ?? { dist: "exponential", mean: 3600 })))
          }
          if (upload) ch.request(t3, data, encrypted(rng, 12), rng.uniform(1_000, 50_000), finish)
          else ch.request(t3, encrypted(rng, 40), data, rng.uniform(1_000, 50_000), finish)
        })
      )
    )
  }
  transfer(startUs)
}

export const sshBulkBehaviour = defineBehaviour({
  type: "ssh_bulk",
  label: "benign",
  summary: "Bulk SSH (scp/rsync): handshake then one large transfer",
  params: SshBulkParams,
  defaultPorts: [22],
  defaultTlsShare: 0,
  start: bulk
})
