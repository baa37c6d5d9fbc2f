/**
 * Streaming classic-pcap writer (little-endian, µs or ns timestamps, any link type; Ethernet
 * by default) with bounded memory.
 *
 * Holds: `PcapWriter`, which appends records into one fixed buffer and writes it to an open
 * file handle in large sequential chunks, so a multi-GB capture costs the buffer size in
 * memory; timestamps as whole seconds plus a sub-second part, or as µs since the epoch.
 * Does not hold: packet construction (see `packet-builder.ts`) or pcapng. Methods are plain
 * synchronous calls for the hot path; they throw Node's I/O errors, which callers at the
 * Effect edge turn into typed errors.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs"

export const LINKTYPE_ETHERNET = 1
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4
export const PCAP_MAGIC_NANOS = 0xa1b23c4d

export type TimestampPrecision = "us" | "ns"

export interface PcapWriterOptions {
  /** timestamp resolution of the file (default µs) */
  readonly precision?: TimestampPrecision
  /** frames longer than this are truncated (default 65535) */
  readonly snaplen?: number
  /** link type of every frame (default 1, Ethernet) */
  readonly linkType?: number
  /** buffer size before a write to disk (default 8 MiB) */
  readonly bufferBytes?: number
}

const RECORD_HEADER = 16
const FILE_HEADER = 24

export class PcapWriter {
  readonly precision: TimestampPrecision
  readonly snaplen: number
  private readonly fd: number
  private readonly buf: Buffer
  private used = 0
  private closed = false
  /** records written so far */
  packets = 0
  /** bytes of the file so far (header and records, buffered ones included) */
  bytes = 0

  private constructor(fd: number, options: PcapWriterOptions) {
    this.fd = fd
    this.precision = options.precision ?? "us"
    this.snaplen = Math.max(1, Math.min(262_144, Math.floor(options.snaplen ?? 65_535)))
    this.buf = Buffer.alloc(Math.max(1 << 16, Math.floor(options.bufferBytes ?? 8 << 20)) + this.snaplen + RECORD_HEADER)
    const header = this.buf
    header.writeUInt32LE(this.precision === "ns" ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, 0)
    header.writeUInt16LE(2, 4)
    header.writeUInt16LE(4, 6)
    header.writeInt32LE(0, 8)
    header.writeUInt32LE(0, 12)
    header.writeUInt32LE(this.snaplen, 16)
    header.writeUInt32LE(options.linkType ?? LINKTYPE_ETHERNET, 20)
    this.used = FILE_HEADER
    this.bytes = FILE_HEADER
  }

  /** Create (or truncate) `path` and write the file header. Throws on I/O failure. */
  static open(path: string, options: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(openSync(path, "w"), options)
  }

  /**
   * Append one frame. `seconds` is whole seconds since the epoch, `fraction` the sub-second
   * part in the file's unit (µs or ns). `length` is the frame's wire length; at most
   * `snaplen` bytes of it are stored.
   */
  write(seconds: number, fraction: number, frame: Uint8Array, length: number): void {
    const caplen = Math.min(length, this.snaplen)
    if (this.used + RECORD_HEADER + caplen > this.buf.length) this.flush()
    const b = this.buf
    const at = this.used
    b.writeUInt32LE(seconds >>> 0, at)
    b.writeUInt32LE(fraction >>> 0, at + 4)
    b.writeUInt32LE(caplen, at + 8)
    b.writeUInt32LE(length, at + 12)
    if (Buffer.isBuffer(frame)) frame.copy(b, at + RECORD_HEADER, 0, caplen)
    else b.set(frame.subarray(0, caplen), at + RECORD_HEADER)
    this.used = at + RECORD_HEADER + caplen
    this.packets++
    this.bytes += RECORD_HEADER + caplen
  }

  /**
   * Append one frame stamped `baseSeconds` + `offsetUs` µs (an offset from a whole-second
   * start, exact to the file's precision as long as the offset stays below 2^53 ns).
   */
  writeAt(baseSeconds: number, offsetUs: number, frame: Uint8Array, length: number): void {
    const whole = Math.floor(offsetUs / 1e6)
    const rest = offsetUs - whole * 1e6
    if (this.precision === "ns") {
      let ns = Math.round(rest * 1000)
      let sec = baseSeconds + whole
      if (ns >= 1e9) {
        ns -= 1e9
        sec++
      }
      this.write(sec, ns, frame, length)
    } else {
      let us = Math.floor(rest)
      let sec = baseSeconds + whole
      if (us >= 1e6) {
        us -= 1e6
        sec++
      }
      this.write(sec, us, frame, length)
    }
  }

  /** Write the buffered records to the file. */
  flush(): void {
    let off = 0
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off)
    this.used = 0
  }

  /** Flush, optionally fsync, and close the file. Safe to call twice. */
  close(sync = false): void {
    if (this.closed) return
    this.closed = true
    try {
      this.flush()
      if (sync) fsyncSync(this.fd)
    } finally {
      closeSync(this.fd)
    }
  }
}
