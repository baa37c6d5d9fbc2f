/**
 * NTPv4 client requests and server replies (48 bytes, RFC 5905 layout).
 *
 * Holds: `ntpRequest` (mode 3, as chrony and ntpd send it: zero fields except the transmit
 * time) and `ntpReply` (mode 4, stratum 2, with reference, originate, receive and transmit
 * times).
 * Does not hold: polling intervals (see `behaviours/benign-udp.ts`).
 */

const NTP_EPOCH_OFFSET = 2_208_988_800

const writeTime = (b: Buffer, at: number, epochUs: number): void => {
  const seconds = Math.floor(epochUs / 1e6)
  const fraction = Math.floor(((epochUs - seconds * 1e6) / 1e6) * 0x100000000)
  b.writeUInt32BE((seconds + NTP_EPOCH_OFFSET) >>> 0, at)
  b.writeUInt32BE(fraction >>> 0, at + 4)
}

export const ntpRequest = (epochUs: number): Buffer => {
  const b = Buffer.alloc(48)
  b[0] = (0 << 6) | (4 << 3) | 3
  b[2] = 6
  b[3] = 0xe9
  writeTime(b, 40, epochUs)
  return b
}

export const ntpReply = (requestEpochUs: number, receiveEpochUs: number, transmitEpochUs: number, refId: number): Buffer => {
  const b = Buffer.alloc(48)
  b[0] = (0 << 6) | (4 << 3) | 4
  b[1] = 2
  b[2] = 6
  b[3] = 0xe9
  b.writeUInt32BE(0x00000210, 4)
  b.writeUInt32BE(0x00000420, 8)
  b.writeUInt32BE(refId >>> 0, 12)
  writeTime(b, 16, transmitEpochUs - 512e6)
  writeTime(b, 24, requestEpochUs)
  writeTime(b, 32, receiveEpochUs)
  writeTime(b, 40, transmitEpochUs)
  return b
}
