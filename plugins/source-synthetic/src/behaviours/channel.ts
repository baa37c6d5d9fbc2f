/**
 * Application channels over a simulated TCP connection: plain, or TLS 1.2/1.3 with a full
 * handshake, so a behaviour writes messages once and gets the right bytes (cleartext) or the
 * right sizes (encrypted records) either way.
 *
 * Holds: `Channel` (open with handshake, send a message or a body of a given size, request/
 * response helpers that time the peer's answer from when the request was captured, close).
 * Does not hold: what the messages are (see the behaviour modules) or TCP mechanics.
 */
import type { Rng } from "../sim/prng.js"
import { type Chunk, ConcatChunk, FillerChunk, literal } from "../sim/stream-chunks.js"
import { C2S, S2C, type TcpConnection } from "../sim/tcp.js"
import { applicationData, clientFinish, clientHello, closeNotify, serverFinish, serverFlight, type TlsClientFamily, type TlsVersion } from "../proto/tls.js"

export interface TlsOptions {
  readonly version: TlsVersion
  readonly sni: string
  readonly family: TlsClientFamily
  readonly alpn: ReadonlyArray<string>
}

export type Message = Buffer | string | number | Chunk

export class Channel {
  constructor(
    readonly conn: TcpConnection,
    private readonly rng: Rng,
    readonly tls: TlsOptions | null,
    private readonly epochStart: Date
  ) {}

  /** Connect (and shake hands for TLS); `ready` gets the time the client may send data. */
  open(timeUs: number, ready: (timeUs: number) => void, refused = false): void {
    const tls = this.tls
    this.conn.onOpen =
      tls === null
        ? ready
        : (t) => {
            const hello = literal(clientHello(this.rng, tls.sni, tls.family, tls.alpn))
            hello.onSent = (tc) => {
              const flight = serverFlight(this.rng, tls.sni, tls.version, this.epochStart)
              flight.onSent = (ts) => {
                const finish = clientFinish(this.rng, tls.version)
                if (tls.version === "1.3") {
                  finish.onSent = (tf) => {
                    this.conn.write(S2C, tf + this.conn.farRtt(), serverFinish(this.rng, "1.3"))
                    ready(tf + 20)
                  }
                } else {
                  finish.onSent = (tf) => {
                    const last = serverFinish(this.rng, "1.2")
                    last.onSent = (tl) => ready(tl + this.conn.nearRtt())
                    this.conn.write(S2C, tf + this.conn.farRtt() + 200, last)
                  }
                }
                this.conn.write(C2S, ts + this.conn.nearRtt() + this.rng.uniform(200, 2_000), finish)
              }
              this.conn.write(S2C, tc + this.conn.farRtt() + this.rng.uniform(300, 3_000), flight)
            }
            this.conn.write(C2S, t + this.rng.uniform(50, 500), hello)
          }
    this.conn.connect(timeUs, refused)
  }

  /** The chunk that carries `message` on this channel. */
  wrap(message: Message): Chunk {
    const plain: Chunk =
      typeof message === "number"
        ? new FillerChunk(Math.max(1, Math.round(message)), this.rng.nextU32())
        : typeof message === "string"
          ? literal(message)
          : Buffer.isBuffer(message)
            ? literal(message)
            : message
    if (this.tls === null) return plain
    return applicationData(this.tls.version, plain.length, this.rng.nextU32())
  }

  /** Send `message` in `dir` at `timeUs`; `onSent` gets the capture time of its last segment. */
  send(dir: number, timeUs: number, message: Message, onSent?: (timeUs: number) => void): void {
    const chunk = this.wrap(message)
    if (onSent !== undefined) chunk.onSent = onSent
    this.conn.write(dir, timeUs, chunk)
  }

  /** Several messages in one write (one segment when small): e.g. set_difficulty + notify. */
  sendTogether(dir: number, timeUs: number, messages: ReadonlyArray<Buffer | string>, onSent?: (timeUs: number) => void): void {
    const joined = new ConcatChunk(messages.map((m) => literal(m)))
    this.send(dir, timeUs, joined, onSent)
  }

  /**
   * Client sends `request` at `timeUs`; the server answers with `response` after
   * `serverUs` of processing; `onReply` gets the time the client can act on the answer.
   */
  request(timeUs: number, request: Message, response: Message | null, serverUs: number, onReply?: (timeUs: number) => void): void {
    this.send(C2S, timeUs, request, (tc) => {
      if (response === null) {
        if (onReply !== undefined) onReply(tc + this.conn.fullRtt())
        return
      }
      this.send(S2C, tc + this.conn.farRtt() + serverUs, response, (ts) => {
        if (onReply !== undefined) onReply(ts + this.conn.nearRtt())
      })
    })
  }

  /** Server pushes `message`; `onReply` (optional) for a client answer timed from its arrival. */
  push(timeUs: number, message: Message, onArrived?: (timeUs: number) => void): void {
    this.send(S2C, timeUs, message, (ts) => {
      if (onArrived !== undefined) onArrived(ts + this.conn.nearRtt())
    })
  }

  /** Close from `dir` (TLS sends close_notify first). */
  close(dir: number, timeUs: number): void {
    if (this.tls !== null && this.rng.chance(0.7)) this.conn.write(dir, timeUs, closeNotify(this.tls.version, this.rng.nextU32()))
    this.conn.close(dir, timeUs)
  }
}
