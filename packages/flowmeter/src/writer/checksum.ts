/**
 * The Internet checksum (RFC 1071) over Buffer ranges, for IPv4 headers and TCP/UDP segments.
 *
 * Holds: a ones'-complement 16-bit sum over a byte range (odd lengths padded with zero), the
 * IPv4 and IPv6 pseudo-header sums, and folding a running sum into the final checksum.
 * Does not hold: where the checksum field lies in a header (see `packet-builder.ts`).
 */

/** Add the big-endian 16-bit words of `buf[start, start+length)` to `sum` (not folded). */
export const sumWords = (buf: Uint8Array, start: number, length: number, sum = 0): number => {
  let acc = sum
  const end = start + length
  const evenEnd = end - ((end - start) & 1)
  let i = start
  // Unrolled by 8 bytes: the sum stays far below 2^53 for any frame size.
  for (; i + 8 <= evenEnd; i += 8) {
    acc +=
      ((buf[i]! << 8) | buf[i + 1]!) +
      ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) +
      ((buf[i + 6]! << 8) | buf[i + 7]!)
  }
  for (; i < evenEnd; i += 2) acc += (buf[i]! << 8) | buf[i + 1]!
  if (evenEnd < end) acc += buf[evenEnd]! << 8
  return acc
}

/** Fold a running sum to 16 bits and complement it: the value written into a checksum field. */
export const foldChecksum = (sum: number): number => {
  let acc = sum
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000)
  return ~acc & 0xffff
}

/** Pseudo-header sum for TCP/UDP over IPv4 (addresses as unsigned 32-bit numbers). */
export const pseudoHeaderSum4 = (src: number, dst: number, protocol: number, length: number): number =>
  (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length

/** Pseudo-header sum for TCP/UDP over IPv6 (addresses as 16-byte arrays). */
export const pseudoHeaderSum6 = (src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number =>
  sumWords(src, 0, 16) + sumWords(dst, 0, 16) + Math.floor(length / 0x10000) + (length & 0xffff) + protocol
