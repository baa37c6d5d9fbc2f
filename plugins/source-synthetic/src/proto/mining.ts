/**
 * Mining protocol messages with the field shapes and sizes real miners and pools use (checked
 * against the captures in `fixtures/mining`): Stratum v1 in its Bitcoin form (cgminer,
 * bmminer) and its ZCash form (EWBF: set_target and 1344-byte Equihash solutions), Monero
 * JSON-RPC (XMRig and xmr-stak: login, job, submit, keepalived) and Ethereum getwork (ethproxy
 * stratum over TCP, and JSON-RPC over HTTP).
 *
 * Holds: one builder per message, each returning the newline-terminated JSON line (or body),
 * and target/difficulty encodings per coin.
 * Does not hold: when messages are sent (see `behaviours/mining.ts`).
 */
import type { Rng } from "../sim/prng.js"

// ------------------------------------------------------------------ targets

/** Bitcoin-style pool difficulty → the number written in mining.set_difficulty. */
export const btcDifficultyText = (difficulty: number): string =>
  difficulty >= 1 ? String(Math.round(difficulty)) : difficulty.toFixed(4).replace(/0+$/, "")

/** 256-bit target 2^256 / difficulty as 64 hex digits (ZCash set_target, Ethereum boundary). */
export const target256 = (difficulty: number): string => {
  const scaled = BigInt(Math.max(1, Math.round(Math.max(difficulty, 1e-6) * 1_048_576)))
  const max = (1n << 256n) - 1n
  const target = (1n << 276n) / scaled
  return (target > max ? max : target).toString(16).padStart(64, "0")
}

/** Monero compact target: 4 bytes little-endian hex of floor(0xffffffff / difficulty). */
export const xmrTarget = (difficulty: number): string => {
  const value = Math.max(1, Math.min(0xffffffff, Math.floor(0xffffffff / Math.max(1, difficulty))))
  const b = Buffer.alloc(4)
  b.writeUInt32LE(value >>> 0, 0)
  return b.toString("hex")
}

// ------------------------------------------------------------------ Stratum v1, Bitcoin form

export const btcSubscribe = (id: number, agent: string): string =>
  `{"id": ${id}, "method": "mining.subscribe", "params": ["${agent}"]}\n`

export const btcSubscribeResult = (rng: Rng, id: number): string => {
  const sub = rng.hex(16)
  return `{"id":${id},"result":[[["mining.set_difficulty","${sub}"],["mining.notify","${sub}"]],"${rng.hex(8)}",4],"error":null}\n`
}

export const btcAuthorize = (id: number, worker: string): string =>
  `{"params": ["${worker}", "x"], "id": ${id}, "method": "mining.authorize"}\n`

export const resultTrue = (id: number): string => `{"id":${id},"result":true,"error":null}\n`

export const btcSetDifficulty = (difficulty: number): string =>
  `{"id":null,"method":"mining.set_difficulty","params":[${btcDifficultyText(difficulty)}]}\n`

export const btcNotify = (rng: Rng, jobId: string, branches: number, clean: boolean, ntime: number): string => {
  const merkle = Array.from({ length: branches }, () => `"${rng.hex(64)}"`).join(",")
  const coinb1 = `01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff${rng.hex(2 * rng.int(20, 45))}`
  const coinb2 = `${rng.hex(2 * rng.int(40, 110))}00000000`
  return `{"id":null,"method":"mining.notify","params":["${jobId}","${rng.hex(64)}","${coinb1}","${coinb2}",[${merkle}],"20000000","17034219","${ntime.toString(16).padStart(8, "0")}",${clean}]}\n`
}

export const btcSubmit = (rng: Rng, id: number, worker: string, jobId: string, ntime: number): string =>
  `{"params": ["${worker}", "${jobId}", "${rng.hex(8)}", "${ntime.toString(16).padStart(8, "0")}", "${rng.hex(8)}"], "id": ${id}, "method": "mining.submit"}\n`

export const shareRejected = (id: number, reason: "Low difficulty share" | "Stale share" | "Duplicate share"): string =>
  `{"id":${id},"result":null,"error":[${reason === "Stale share" ? 21 : reason === "Duplicate share" ? 22 : 23},"${reason}",null]}\n`

// ------------------------------------------------------------------ Stratum v1, ZCash form

export const zecSubscribe = (id: number, agent: string, host: string, port: number): string =>
  `{"id":${id},"method":"mining.subscribe","params":["${agent}",null,"${host}","${port}"]}\n`

export const zecSubscribeResult = (rng: Rng, id: number): string => {
  const nonce = rng.hex(10)
  return `{"id":${id},"result":["${nonce}", "${nonce}"], "error": null}\n`
}

export const zecAuthorize = (id: number, worker: string): string => `{"id":${id},"method":"mining.authorize","params":["${worker}","x"]}\n`

export const zecAuthorizeResult = (id: number): string => `{"id":${id},"result":true, "error": null}\n`

export const zecSetTarget = (difficulty: number): string => `{"id":null,"method":"mining.set_target","params":["${target256(difficulty)}"]}\n`

export const zecExtranonceSubscribe = (id: number): string => `{"id":${id},"method":"mining.extranonce.subscribe","params":[]}\n`

export const zecNotify = (rng: Rng, jobId: string, clean: boolean, ntime: number): string => {
  const time = Buffer.alloc(4)
  time.writeUInt32LE(ntime >>> 0, 0)
  return `{"id":null,"method":"mining.notify","params":["${jobId}","04000000","${rng.hex(56)}00000000","${rng.hex(64)}","${"0".repeat(64)}","${time.toString("hex")}","09d8151c",${clean}]}\n`
}

export const zecSubmit = (rng: Rng, id: number, worker: string, jobId: string, ntime: number): string => {
  const time = Buffer.alloc(4)
  time.writeUInt32LE(ntime >>> 0, 0)
  // Equihash(200,9) solution: compact size fd4005 + 1344 bytes
  return `{"id":${id},"method":"mining.submit","params":["${worker}","${jobId}","${time.toString("hex")}","${rng.hex(54)}","fd4005${rng.hex(2688)}"]}\n`
}

export const zecSubmitResult = (id: number): string => `{"id":${id},"result":true}\n`

// ------------------------------------------------------------------ Monero (XMRig / xmr-stak)

const XMRIG_ALGOS =
  '["cn/1","cn/2","cn/r","cn/fast","cn/half","cn/xao","cn/rto","cn/rwz","cn/zls","cn/double","cn/ccx","cn-lite/1","cn-heavy/0","cn-heavy/tube","cn-heavy/xhv","cn-pico","cn-pico/tlo","cn/upx2","rx/0","rx/wow","rx/arq","rx/graft","rx/sfx","rx/keva","argon2/chukwa","argon2/chukwav2","argon2/ninja","ghostrider"]'

export const moneroAddress = (rng: Rng): string => {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
  let out = "4"
  for (let i = 0; i < 94; i++) out += alphabet[rng.int(0, alphabet.length - 1)]
  return out
}

export type XmrAgent = "xmrig" | "xmr-stak"

export const xmrLogin = (id: number, agent: XmrAgent, wallet: string, rigId: string): string =>
  agent === "xmrig"
    ? `{"id":${id},"jsonrpc":"2.0","method":"login","params":{"login":"${wallet}","pass":"x","agent":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0","rigid":"${rigId}","algo":${XMRIG_ALGOS}}}\n`
    : `{"method":"login","params":{"login":"${wallet}","pass":"x","agent":"xmr-stak-cpu/1.3.0-1.5.0"},"id":${id}}\n`

const xmrJobBody = (rng: Rng, jobId: string, difficulty: number, height: number, seedHash: string, agent: XmrAgent): string =>
  agent === "xmrig"
    ? `{"blob":"1010${rng.hex(148)}","job_id":"${jobId}","target":"${xmrTarget(difficulty)}","algo":"rx/0","height":${height},"seed_hash":"${seedHash}"}`
    : `{"blob":"0606${rng.hex(148)}","job_id":"${jobId}","target":"${xmrTarget(difficulty)}"}`

export const xmrLoginResult = (rng: Rng, id: number, sessionId: string, jobId: string, difficulty: number, height: number, seedHash: string, agent: XmrAgent): string =>
  agent === "xmrig"
    ? `{"id":${id},"jsonrpc":"2.0","error":null,"result":{"id":"${sessionId}","job":${xmrJobBody(rng, jobId, difficulty, height, seedHash, agent)},"extensions":["algo","nicehash","connect","tls","keepalive"],"status":"OK"}}\n`
    : `{"id":${id},"jsonrpc":"2.0","error":null,"result":{"id":"${sessionId}","job":${xmrJobBody(rng, jobId, difficulty, height, seedHash, agent)},"status":"OK"}}\n`

export const xmrJob = (rng: Rng, jobId: string, difficulty: number, height: number, seedHash: string, agent: XmrAgent): string =>
  `{"jsonrpc":"2.0","method":"job","params":${xmrJobBody(rng, jobId, difficulty, height, seedHash, agent)}}\n`

export const xmrSubmit = (rng: Rng, id: number, sessionId: string, jobId: string, agent: XmrAgent): string =>
  agent === "xmrig"
    ? `{"id":${id},"jsonrpc":"2.0","method":"submit","params":{"id":"${sessionId}","job_id":"${jobId}","nonce":"${rng.hex(8)}","result":"${rng.hex(60)}0000","algo":"rx/0"}}\n`
    : `{"method":"submit","params":{"id":"${sessionId}","job_id":"${jobId}","nonce":"${rng.hex(8)}","result":"${rng.hex(60)}0100"},"id":${id}}\n`

export const xmrStatusOk = (id: number): string => `{"id":${id},"jsonrpc":"2.0","error":null,"result":{"status":"OK"}}\n`

export const xmrKeepalived = (id: number, sessionId: string): string =>
  `{"id":${id},"jsonrpc":"2.0","method":"keepalived","params":{"id":"${sessionId}"}}\n`

export const xmrKeepalivedResult = (id: number): string => `{"id":${id},"jsonrpc":"2.0","error":null,"result":{"status":"KEEPALIVED"}}\n`

// ------------------------------------------------------------------ Ethereum getwork

export const ethSubmitLogin = (id: number, wallet: string, worker: string): string =>
  `{"worker": "${worker}", "jsonrpc": "2.0", "params": ["${wallet}", "x"], "id": ${id}, "method": "eth_submitLogin"}\n`

export const ethResultTrue = (id: number): string => `{"jsonrpc":"2.0","id":${id},"result":true}\n`

export const ethWork = (id: number, header: string, seed: string, difficulty: number, blockNumber?: number): string =>
  blockNumber === undefined
    ? `{"jsonrpc":"2.0","id":${id},"result":["0x${header}","0x${seed}","0x${target256(difficulty)}"]}\n`
    : `{"id":${id},"jsonrpc":"2.0","result":["0x${header}","0x${seed}","0x${target256(difficulty)}","0x${blockNumber.toString(16)}"]}`

export const ethGetWork = (id: number, http: boolean): string =>
  http ? `{"jsonrpc":"2.0","method":"eth_getWork","params":[],"id":${id}}` : `{"worker": "", "jsonrpc": "2.0", "params": [], "id": ${id}, "method": "eth_getWork"}\n`

export const ethSubmitHashrate = (rng: Rng, id: number, hashrate: number, http: boolean): string =>
  `{"id":${id},"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x${Math.round(hashrate).toString(16)}", "0x${rng.hex(64)}"]}${http ? "" : "\n"}`

export const ethSubmitWork = (rng: Rng, id: number, header: string, http: boolean): string =>
  `{"id":${id},"method":"eth_submitWork","params":["0x${rng.hex(16)}","0x${header}","0x${rng.hex(64)}"]${http ? ',"jsonrpc":"2.0"' : ""}}${http ? "" : "\n"}`

export const ethHttpResult = (id: number, value: string): string => `{"id":${id},"jsonrpc":"2.0","result":${value}}`
