/**
 * Mining dialects: for each protocol family, the login exchange, job pushes, share submission
 * and answer, keepalives, and how share rate follows from hashrate and difficulty.
 *
 * Holds: `Dialect` and the four persistent-connection dialects (Stratum v1 Bitcoin, Stratum v1
 * ZCash, Monero JSON-RPC, Ethereum ethproxy stratum) plus their per-session state.
 * Does not hold: timing and connection lifecycle (see `mining.ts`) or the HTTP getwork miner
 * (see `mining-http.ts`).
 */
import type { Rng } from "../sim/prng.js"
import {
  btcAuthorize,
  btcNotify,
  btcSetDifficulty,
  btcSubmit,
  btcSubscribe,
  btcSubscribeResult,
  ethGetWork,
  ethResultTrue,
  ethSubmitHashrate,
  ethSubmitLogin,
  ethSubmitWork,
  ethWork,
  moneroAddress,
  resultTrue,
  shareRejected,
  type XmrAgent,
  xmrJob,
  xmrKeepalived,
  xmrKeepalivedResult,
  xmrLogin,
  xmrLoginResult,
  xmrStatusOk,
  xmrSubmit,
  zecAuthorize,
  zecAuthorizeResult,
  zecExtranonceSubscribe,
  zecNotify,
  zecSetTarget,
  zecSubmit,
  zecSubmitResult,
  zecSubscribe,
  zecSubscribeResult
} from "../proto/mining.js"

export interface SessionState {
  readonly rng: Rng
  readonly agent: string
  readonly host: string
  readonly port: number
  readonly worker: string
  readonly wallet: string
  nextId: number
  jobId: string
  header: string
  seed: string
  height: number
  difficulty: number
  hashrate: number
  ntime: number
  sessionId: string
}

/** One step of a login: the client's line and the server's answer lines (written together or one by one). */
export interface LoginStep {
  readonly request: string
  /** answers written as separate messages, in order */
  readonly answers: ReadonlyArray<string | ReadonlyArray<string>>
  /** the client does not wait for an answer before the next step */
  readonly pipelined?: boolean
}

export interface Dialect {
  readonly name: string
  /** shares per second for a hashrate (H/s or Sol/s) at a pool difficulty */
  readonly shareRate: (hashrate: number, difficulty: number) => number
  readonly login: (s: SessionState) => ReadonlyArray<LoginStep>
  /** messages pushed before the first job, right after login (set_target, first notify) */
  readonly afterLogin: (s: SessionState) => ReadonlyArray<ReadonlyArray<string>>
  readonly job: (s: SessionState, clean: boolean) => ReadonlyArray<string>
  readonly difficulty: (s: SessionState) => string | null
  readonly submit: (s: SessionState) => { request: string; accepted: string; rejected: string }
  readonly keepalive: ((s: SessionState) => { request: string; answer: string }) | null
  /** periodic client messages with no answer or a work answer (ethproxy getWork, hashrate) */
  readonly poll: ((s: SessionState) => { request: string; answer: string | null }) | null
  readonly report: ((s: SessionState) => string) | null
}

const TWO_32 = 4_294_967_296

const newJobId = (s: SessionState, digits: number): string => {
  s.jobId = s.rng.hex(digits)
  return s.jobId
}

export const stratumBtc: Dialect = {
  name: "stratum_btc",
  shareRate: (hashrate, difficulty) => hashrate / (difficulty * TWO_32),
  login: (s) => [
    { request: btcSubscribe(s.nextId++, s.agent), answers: [btcSubscribeResult(s.rng, s.nextId - 1)] },
    { request: btcAuthorize(s.nextId++, s.worker), answers: [resultTrue(s.nextId - 1)] }
  ],
  afterLogin: (s) => [[btcSetDifficulty(s.difficulty), btcNotify(s.rng, newJobId(s, 8), s.rng.int(4, 11), true, s.ntime)]],
  job: (s, clean) => [btcNotify(s.rng, newJobId(s, 8), s.rng.int(4, 11), clean, s.ntime)],
  difficulty: (s) => btcSetDifficulty(s.difficulty),
  submit: (s) => {
    const id = s.nextId++
    return {
      request: btcSubmit(s.rng, id, s.worker, s.jobId, s.ntime),
      accepted: resultTrue(id),
      rejected: shareRejected(id, s.rng.chance(0.6) ? "Stale share" : "Low difficulty share")
    }
  },
  keepalive: null,
  poll: null,
  report: null
}

export const stratumZec: Dialect = {
  name: "stratum_zec",
  // solutions per second times the chance a solution meets the 2^256/difficulty target
  shareRate: (hashrate, difficulty) => hashrate / difficulty,
  login: (s) => [
    { request: zecSubscribe(s.nextId++, s.agent, s.host, s.port), answers: [zecSubscribeResult(s.rng, s.nextId - 1)] },
    { request: zecAuthorize(s.nextId++, s.worker), answers: [zecAuthorizeResult(s.nextId - 1), zecSetTarget(s.difficulty)] },
    { request: zecExtranonceSubscribe(s.nextId++), answers: [], pipelined: true }
  ],
  afterLogin: (s) => [[zecNotify(s.rng, newJobId(s, 20), true, s.ntime)]],
  job: (s, clean) => [zecNotify(s.rng, newJobId(s, 20), clean, s.ntime)],
  difficulty: (s) => zecSetTarget(s.difficulty),
  submit: (s) => {
    const id = 100 + s.nextId++
    return {
      request: zecSubmit(s.rng, id, s.worker, s.jobId, s.ntime),
      accepted: zecSubmitResult(id),
      rejected: shareRejected(id, "Stale share")
    }
  },
  keepalive: null,
  poll: null,
  report: null
}

const xmrDialect = (agent: XmrAgent): Dialect => ({
  name: "xmrig",
  shareRate: (hashrate, difficulty) => hashrate / difficulty,
  login: (s) => {
    s.sessionId = agent === "xmrig" ? `${s.rng.hex(8)}-${s.rng.hex(4)}-${s.rng.hex(4)}-${s.rng.hex(4)}-${s.rng.hex(12)}` : String(s.rng.int(1e14, 9e14))
    return [
      {
        request: xmrLogin(1, agent, s.wallet, s.worker),
        answers: [xmrLoginResult(s.rng, 1, s.sessionId, newJobId(s, 15), s.difficulty, s.height, s.seed, agent)]
      }
    ]
  },
  afterLogin: () => [],
  job: (s) => [xmrJob(s.rng, newJobId(s, 15), s.difficulty, s.height, s.seed, agent)],
  difficulty: () => null,
  submit: (s) => {
    const id = agent === "xmrig" ? s.nextId++ : 1
    return {
      request: xmrSubmit(s.rng, id, s.sessionId, s.jobId, agent),
      accepted: xmrStatusOk(id),
      rejected: `{"id":${id},"jsonrpc":"2.0","error":{"code":-1,"message":"Low difficulty share"}}\n`
    }
  },
  keepalive:
    agent === "xmrig"
      ? (s) => {
          const id = s.nextId++
          return { request: xmrKeepalived(id, s.sessionId), answer: xmrKeepalivedResult(id) }
        }
      : null,
  poll: null,
  report: null
})

export const xmrig = xmrDialect("xmrig")
export const xmrStak = xmrDialect("xmr-stak")

export const ethStratum: Dialect = {
  name: "eth_stratum",
  shareRate: (hashrate, difficulty) => hashrate / difficulty,
  login: (s) => {
    s.header = s.rng.hex(64)
    return [
      {
        request: ethSubmitLogin(2, s.wallet, `eth1.${s.rng.int(0, 3)}`),
        answers: [ethResultTrue(2), `${ethWork(0, s.header, s.seed, s.difficulty)}`]
      },
      { request: ethGetWork(3, false), answers: [ethWork(0, s.header, s.seed, s.difficulty)] }
    ]
  },
  afterLogin: () => [],
  job: (s) => {
    s.header = s.rng.hex(64)
    return [ethWork(0, s.header, s.seed, s.difficulty)]
  },
  difficulty: () => null,
  submit: (s) => ({
    request: ethSubmitWork(s.rng, 4, s.header, false),
    accepted: ethResultTrue(4),
    rejected: `{"jsonrpc":"2.0","id":4,"result":false}\n`
  }),
  keepalive: null,
  poll: (s) => ({ request: ethGetWork(3, false), answer: ethWork(0, s.header, s.seed, s.difficulty) }),
  report: (s) => ethSubmitHashrate(s.rng, 6, s.hashrate * (0.97 + 0.06 * s.rng.next()), false)
}

export const newSession = (rng: Rng, agent: string, host: string, port: number, walletKind: "btc" | "zec" | "xmr" | "eth"): SessionState => {
  const rig = `rig${rng.int(1, 40)}`
  const wallet =
    walletKind === "xmr"
      ? agent.startsWith("xmr-stak") || agent === "xmr-stak"
        ? `${moneroAddress(rng)}.${rng.hex(64)}.${rig}`
        : moneroAddress(rng)
      : walletKind === "eth"
        ? `0x${rng.hex(40)}`
        : walletKind === "zec"
          ? `t1${rng.hex(33)}`
          : `bc1q${rng.hex(38)}`
  return {
    rng,
    agent,
    host,
    port,
    worker: walletKind === "xmr" ? rig : walletKind === "eth" ? `${rig}` : `${wallet}.${rig}`,
    wallet: walletKind === "eth" && rng.chance(0.6) ? `${wallet}/${rig}.worker${rng.int(1, 9)}/${rng.hex(6)}@mailinator` : wallet,
    nextId: 1,
    jobId: "",
    header: "",
    seed: rng.hex(64),
    height: rng.int(3_000_000, 3_200_000),
    difficulty: 1,
    hashrate: 1,
    ntime: 1_709_542_800,
    sessionId: ""
  }
}
