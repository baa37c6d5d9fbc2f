/**
 * End-of-capture findings from the meter's counters: skipped link types (one finding per link
 * type, with its count), non-IP frames, malformed IP headers, snaplen-cut packets, fragments
 * whose first fragment was never seen, flows evicted at max_flows, packets without timestamp,
 * and damage beyond the detailed-finding cap.
 *
 * Holds: `summaryFindings` and a few link-type names for messages.
 * Does not hold: damage findings made while reading (see `session.ts`).
 */
import { Finding } from "@hashhound/core"
import type { MeterCounters } from "./meter/flow-meter.js"

const LINK_NAMES: Readonly<Record<number, string>> = {
  105: "IEEE 802.11",
  119: "Prism 802.11",
  127: "802.11 radiotap",
  147: "user 0",
  192: "PPI",
  195: "IEEE 802.15.4",
  220: "USB Linux mmapped",
  249: "netlink (old)",
  253: "netlink",
  254: "Bluetooth Linux monitor",
  263: "Bluetooth LE LL"
}

export const linkTypeName = (type: number): string => {
  const name = LINK_NAMES[type]
  return name === undefined ? `link type ${type}` : `link type ${type} (${name})`
}

export const summaryFindings = (
  c: MeterCounters,
  damageUnreported: number,
  source: string,
  capture: string
): Array<Finding> => {
  const out: Array<Finding> = []
  const add = (code: string, severity: "info" | "warn", count: number, message: string): void => {
    if (count > 0) out.push(new Finding({ source, code, severity, message, capture, count }))
  }
  for (const [type, count] of [...c.linkTypes].sort((a, b) => a[0] - b[0])) {
    add("skipped_link_type", "warn", count, `${count} frame(s) of ${linkTypeName(type)} skipped: this link type is not decoded`)
  }
  add("non_ip", "info", c.nonIp, `${c.nonIp} frame(s) carry no IPv4/IPv6 (ARP, LLDP, STP, …) and are not metered`)
  add("malformed_packet", "warn", c.malformed, `${c.malformed} frame(s) with a malformed or cut link/IP header were skipped`)
  add(
    "truncated_packet",
    "info",
    c.truncated,
    `${c.truncated} packet(s) were captured shorter than they were (snaplen); they count at the length their IP header gives`
  )
  add(
    "orphan_fragment",
    "info",
    c.orphanFragments,
    `${c.orphanFragments} IP fragment(s) came without their first fragment (no ports known) and were not metered`
  )
  add("evicted", "warn", c.evicted, `${c.evicted} flow(s) ended early because max_flows open flows were reached`)
  add("no_timestamp", "info", c.noTimestamp, `${c.noTimestamp} simple packet block(s) carry no timestamp; the previous packet's time was used`)
  add(
    "bad_timestamp",
    "warn",
    c.badTimestamp,
    `${c.badTimestamp} packet(s) carry a time more than 285 years from 1970, which µs since the epoch cannot hold; the previous packet's time was used`
  )
  add(
    "tunnelled",
    "info",
    c.tunnelled,
    `${c.tunnelled} packet(s) came inside a tunnel (GRE, ERSPAN, IP in IP, VXLAN, GENEVE, GTP-U) and were metered as the packet inside`
  )
  add(
    "duplicate_packet",
    "warn",
    c.duplicates,
    `${c.duplicates} packet(s) repeat a packet of the same flow and direction less than 1 ms earlier (same length, IPv4 ID and checksum): the capture sees them twice, as a mirror of both directions of a link does; duplicates: drop (--duplicates drop) meters each once`
  )
  add("corrupt_record", "warn", damageUnreported, `${damageUnreported} further damaged record(s) not reported one by one`)
  return out
}
