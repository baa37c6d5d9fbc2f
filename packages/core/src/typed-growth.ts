/**
 * Growing a typed array by doubling, for writers that append into one buffer.
 *
 * Holds: `grownTypedArray`.
 * Does not hold: any writer (the callers keep their own lengths and decide when to grow).
 */

/**
 * A new array of `old`'s length doubled until it holds `need` elements, made by `make`, with
 * the first `used` elements of `old` copied in. The caller replaces `old` with it.
 */
export const grownTypedArray = <T extends Uint8Array | Int32Array | Float64Array>(
  old: T,
  need: number,
  used: number,
  make: (length: number) => T
): T => {
  let size = Math.max(1, old.length)
  while (size < need) size *= 2
  const next = make(size)
  next.set(old.subarray(0, used))
  return next
}
