/**
 * One cell's text as DuckDB writes it, for the export writers of hashhound's own
 * (`text-writer.ts`): numbers, and text quoted for CSV or escaped for JSON.
 *
 * Holds: `putInteger`, `putAscii`, `putCsvDouble`, `putJsonDouble`, `putCsvText` and
 * `putJsonText`. Each writes at `at` of a buffer with room enough (the caller's; at most
 * NUMBER_BYTES for a number, `CSV_TEXT_ROOM` / `JSON_TEXT_ROOM` for text) and answers the end.
 * - Doubles as DuckDB casts them to text (CSV): the shortest digits that read back as the same
 *   double, in fixed notation with at least one decimal (`1.0`, `0.0001`) when the decimal
 *   exponent is in [-4, 16), else in scientific with a signed exponent of at least two digits
 *   (`1e-05`, `1.2345678901234568e+16`); `nan`, `inf`, `-inf`.
 * - Doubles as DuckDB's JSON writer gives them (JSONL, and lists in CSV): JavaScript's shortest
 *   text, `.0` after a whole number below 1e21 and `e300` for `e+300`; `NaN`, `Infinity`,
 *   `-Infinity`, `-0.0`.
 * - CSV text: as it is, or quoted (`"`, inner quotes doubled) when it is empty or holds `,`
 *   `"` `\n` `\r` or `#` (DuckDB's comment character).
 * - JSON text: quoted, with `"` and `\\` escaped, `\b \t \n \f \r` for those controls and
 *   `\u00XX` (upper-case hex) for the other bytes below 0x20; everything else as it is.
 * Does not hold: rows, lines or files (see `text-writer.ts`).
 */

const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c
const NEWLINE = 0x0a
const RETURN = 0x0d
/** DuckDB's CSV writer also quotes text with its default comment character in it */
const HASH = 0x23

/** The longest text a number takes: "-2.2250738585072014e-308", "-9223372036854775808" */
export const NUMBER_BYTES = 32
/** Room a CSV text cell of `n` bytes may take (every byte a quote, doubled, and two quotes). */
export const CSV_TEXT_ROOM = (n: number): number => 2 * n + 2
/** Room a JSON text cell of `n` bytes may take (every byte a `\u00XX`, and two quotes). */
export const JSON_TEXT_ROOM = (n: number): number => 6 * n + 2

/** Decimal digits in a positive int32 at least 10. */
const digitCount = (v: number): number =>
  v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10

/** The decimal digits of an integer of at most 2^53 in magnitude written at `at`; the end. */
export const putInteger = (out: Uint8Array, at: number, value: number): number => {
  if (value < 0 || (value === 0 && 1 / value < 0)) {
    out[at++] = 0x2d
    value = -value
  }
  if (value < 10) {
    out[at] = 0x30 + value
    return at + 1
  }
  if (value <= 0x7fffffff) {
    let rest = value | 0
    const end = at + digitCount(rest)
    for (let i = end - 1; rest > 0; i--) {
      const next = (rest / 10) | 0
      out[i] = 0x30 + rest - next * 10
      rest = next
    }
    return end
  }
  let digits = 0
  for (let rest = value; rest >= 1; rest = Math.floor(rest / 10)) digits++
  const end = at + digits
  for (let i = end - 1, rest = value; i >= at; i--, rest = Math.floor(rest / 10)) out[i] = 0x30 + (rest % 10)
  return end
}

/** ASCII text written at `at`; the end. */
export const putAscii = (out: Uint8Array, at: number, text: string): number => {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i)
  return at
}

/** `x.toExponential()` (shortest digits) with the exponent's sign kept and at least two digits. */
const putScientific = (out: Uint8Array, at: number, x: number): number => {
  const text = x.toExponential()
  const e = text.indexOf("e")
  at = putAscii(out, at, text.slice(0, e + 2))
  if (text.length - (e + 2) === 1) out[at++] = 0x30
  return putAscii(out, at, text.slice(e + 2))
}

/**
 * A whole double below 1e21 in fixed notation with `.0`: its shortest digits, zero-padded (past
 * 2^53 those are not always its exact digits: -1656150691306394880 is `-1656150691306395000.0`).
 */
const putWhole = (out: Uint8Array, at: number, x: number): number => {
  at = Math.abs(x) <= Number.MAX_SAFE_INTEGER ? putInteger(out, at, x) : putAscii(out, at, String(x))
  out[at] = 0x2e
  out[at + 1] = 0x30
  return at + 2
}

/** A double as DuckDB casts it to text, in CSV (see the module header). */
export const putCsvDouble = (out: Uint8Array, at: number, x: number): number => {
  if (x !== x) return putAscii(out, at, "nan")
  if (x === Infinity) return putAscii(out, at, "inf")
  if (x === -Infinity) return putAscii(out, at, "-inf")
  const magnitude = Math.abs(x)
  if (magnitude >= 1e16 || (magnitude < 1e-4 && magnitude !== 0)) return putScientific(out, at, x)
  if (Number.isInteger(x)) return putWhole(out, at, x)
  return putAscii(out, at, String(x))
}

/** A double as DuckDB's JSON writer gives it, in JSON and in CSV lists (see the module header). */
export const putJsonDouble = (out: Uint8Array, at: number, x: number): number => {
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return putWhole(out, at, x)
  const text = String(x)
  const plus = text.indexOf("e+")
  return plus < 0 ? putAscii(out, at, text) : putAscii(out, putAscii(out, at, text.slice(0, plus + 1)), text.slice(plus + 2))
}

/** UTF-8 bytes `bytes[from, to)` as one CSV cell: as they are, or quoted when DuckDB quotes them. */
export const putCsvText = (out: Uint8Array, at: number, bytes: Uint8Array, from: number, to: number): number => {
  let quote = from === to
  for (let i = from; i < to && !quote; i++) {
    const b = bytes[i]!
    quote = b === COMMA || b === QUOTE || b === NEWLINE || b === RETURN || b === HASH
  }
  if (!quote) {
    for (let i = from; i < to; i++) out[at++] = bytes[i]!
    return at
  }
  out[at++] = QUOTE
  for (let i = from; i < to; i++) {
    const b = bytes[i]!
    out[at++] = b
    if (b === QUOTE) out[at++] = QUOTE
  }
  out[at++] = QUOTE
  return at
}

/** The escape letter of a control byte that has one (b t n f r), else 0. */
const SHORT_ESCAPE = (() => {
  const letters = new Uint8Array(0x20)
  letters[0x08] = 0x62
  letters[0x09] = 0x74
  letters[0x0a] = 0x6e
  letters[0x0c] = 0x66
  letters[0x0d] = 0x72
  return letters
})()
const HEX = "0123456789ABCDEF"

/** UTF-8 bytes `bytes[from, to)` as a JSON string, escaped as DuckDB's JSON writer escapes it. */
export const putJsonText = (out: Uint8Array, at: number, bytes: Uint8Array, from: number, to: number): number => {
  out[at++] = QUOTE
  for (let i = from; i < to; i++) {
    const b = bytes[i]!
    if (b >= 0x20 && b !== QUOTE && b !== BACKSLASH) {
      out[at++] = b
      continue
    }
    out[at++] = BACKSLASH
    if (b === QUOTE || b === BACKSLASH) out[at++] = b
    else if (SHORT_ESCAPE[b] !== 0) out[at++] = SHORT_ESCAPE[b]!
    else {
      out[at++] = 0x75
      out[at++] = 0x30
      out[at++] = 0x30
      out[at++] = HEX.charCodeAt(b >> 4)
      out[at++] = HEX.charCodeAt(b & 15)
    }
  }
  out[at++] = QUOTE
  return at
}
