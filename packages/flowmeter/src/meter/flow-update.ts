/**
 * What one packet does to its flow's statistics.
 *
 * Holds: `addPacket` (counts, IP and payload bytes, Welford packet-length and inter-arrival
 * statistics per direction and both, TCP flag counts, initial windows, the first N signed
 * lengths and gaps) and `swapDirections` (when a SYN shows that the responder was taken for
 * the initiator). Plain arithmetic over the store's typed arrays; nothing is allocated.
 * Does not hold: flow lookup, timeouts or endings (see `flow-meter.ts`).
 */
import { FLAG_COUNTS, ST_FIN_BWD, ST_FIN_FWD, type FlowStore } from "./flow-store.js"

const welford = (
  mean: Float64Array,
  m2: Float64Array,
  min: Float64Array,
  max: Float64Array,
  slot: number,
  n: number,
  x: number
): void => {
  if (n === 1) {
    mean[slot] = x
    m2[slot] = 0
    min[slot] = x
    max[slot] = x
    return
  }
  const m = mean[slot]!
  const delta = x - m
  const next = m + delta / n
  mean[slot] = next
  m2[slot] = m2[slot]! + delta * (x - next)
  if (x < min[slot]!) min[slot] = x
  if (x > max[slot]!) max[slot] = x
}

/** Record one packet (`len` bytes at the counting layer, at `store.packetTs[0]` µs) in `slot`. */
export const addPacket = (
  store: FlowStore,
  slot: number,
  forward: boolean,
  len: number,
  payload: number,
  tcpFlags: number,
  tcpWindow: number
): void => {
  const f = store.f
  const ts = store.packetTs[0]!
  const total = f.fwdPackets[slot]! + f.bwdPackets[slot]!
  if (total === 0) {
    f.firstTs[slot] = ts
    f.lastTs[slot] = ts
  } else {
    if (ts < f.firstTs[slot]!) f.firstTs[slot] = ts
    if (ts > f.lastTs[slot]!) f.lastTs[slot] = ts
  }
  // gap to the previous packet of the flow (negative gaps from reordered captures count as 0)
  const gapAll = total === 0 ? 0 : Math.max(0, ts - f.lastPktTs[slot]!)
  f.lastPktTs[slot] = ts
  if (total > 0) welford(f.allIatMean, f.allIatM2, f.allIatMin, f.allIatMax, slot, total, gapAll / 1e6)
  welford(f.allLenMean, f.allLenM2, f.allLenMin, f.allLenMax, slot, total + 1, len)

  if (forward) {
    const n = f.fwdPackets[slot]! + 1
    f.fwdPackets[slot] = n
    f.fwdBytes[slot] = f.fwdBytes[slot]! + len
    f.fwdPayload[slot] = f.fwdPayload[slot]! + payload
    welford(f.fwdLenMean, f.fwdLenM2, f.fwdLenMin, f.fwdLenMax, slot, n, len)
    if (n > 1) welford(f.fwdIatMean, f.fwdIatM2, f.fwdIatMin, f.fwdIatMax, slot, n - 1, Math.max(0, ts - f.lastFwdTs[slot]!) / 1e6)
    f.lastFwdTs[slot] = ts
    if (tcpWindow >= 0 && store.i.fwdInitWin[slot]! < 0) store.i.fwdInitWin[slot] = tcpWindow
  } else {
    const n = f.bwdPackets[slot]! + 1
    f.bwdPackets[slot] = n
    f.bwdBytes[slot] = f.bwdBytes[slot]! + len
    f.bwdPayload[slot] = f.bwdPayload[slot]! + payload
    welford(f.bwdLenMean, f.bwdLenM2, f.bwdLenMin, f.bwdLenMax, slot, n, len)
    if (n > 1) welford(f.bwdIatMean, f.bwdIatM2, f.bwdIatMin, f.bwdIatMax, slot, n - 1, Math.max(0, ts - f.lastBwdTs[slot]!) / 1e6)
    f.lastBwdTs[slot] = ts
    if (tcpWindow >= 0 && store.i.bwdInitWin[slot]! < 0) store.i.bwdInitWin[slot] = tcpWindow
  }

  if (tcpFlags >= 0) {
    const base = slot * FLAG_COUNTS + (forward ? 0 : 8)
    const flags = store.flags
    for (let bit = 0; bit < 8; bit++) if ((tcpFlags & (1 << bit)) !== 0) flags[base + bit]!++
  }

  const splt = store.splt
  const k = store.u.spltCount[slot]!
  if (k < splt) {
    const at = slot * splt + k
    store.spltLen[at] = forward ? len : -len
    store.spltIat[at] = gapAll / 1000
    store.u.spltCount[slot] = k + 1
  }
}

const swapF = (a: Float64Array, b: Float64Array, slot: number): void => {
  const t = a[slot]!
  a[slot] = b[slot]!
  b[slot] = t
}

/** Make the other endpoint the initiator: every forward/backward field trades places. */
export const swapDirections = (store: FlowStore, slot: number): void => {
  const f = store.f
  swapF(f.fwdPackets, f.bwdPackets, slot)
  swapF(f.fwdBytes, f.bwdBytes, slot)
  swapF(f.fwdPayload, f.bwdPayload, slot)
  swapF(f.lastFwdTs, f.lastBwdTs, slot)
  swapF(f.fwdLenMean, f.bwdLenMean, slot)
  swapF(f.fwdLenM2, f.bwdLenM2, slot)
  swapF(f.fwdLenMin, f.bwdLenMin, slot)
  swapF(f.fwdLenMax, f.bwdLenMax, slot)
  swapF(f.fwdIatMean, f.bwdIatMean, slot)
  swapF(f.fwdIatM2, f.bwdIatM2, slot)
  swapF(f.fwdIatMin, f.bwdIatMin, slot)
  swapF(f.fwdIatMax, f.bwdIatMax, slot)
  const wins = store.i
  const w = wins.fwdInitWin[slot]!
  wins.fwdInitWin[slot] = wins.bwdInitWin[slot]!
  wins.bwdInitWin[slot] = w
  const flags = store.flags
  const base = slot * FLAG_COUNTS
  for (let bit = 0; bit < 8; bit++) {
    const t = flags[base + bit]!
    flags[base + bit] = flags[base + 8 + bit]!
    flags[base + 8 + bit] = t
  }
  const k = store.u.spltCount[slot]!
  for (let j = 0; j < k; j++) store.spltLen[slot * store.splt + j] = -store.spltLen[slot * store.splt + j]!
  const st = store.u.state[slot]!
  const fins = ((st & ST_FIN_FWD) !== 0 ? ST_FIN_BWD : 0) | ((st & ST_FIN_BWD) !== 0 ? ST_FIN_FWD : 0)
  store.u.state[slot] = (st & ~(ST_FIN_FWD | ST_FIN_BWD)) | fins
  store.u.srcIsA[slot] = store.u.srcIsA[slot] === 1 ? 0 : 1
}
