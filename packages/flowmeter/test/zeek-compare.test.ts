/**
 * The pcap ↔ Zeek pair in the fixtures: `normal/infectedPCAP-infected.pcap` and the conn.log Zeek
 * made from it (`flows/zeek/infectedPCAP-conn.log`, same upstream commit). Every Zeek connection
 * must be one of our flows with the same originator, packets and IP bytes per direction and
 * duration (one documented rule, ZEEK_CLOSE, for connections closed by FIN from both sides).
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import { collectCapture } from "./helpers/collect.js"

const conns = (): Array<Record<string, string>> => {
  const lines = readFileSync(fixture("flows/zeek/infectedPCAP-conn.log"), "utf8").split("\n")
  const fields = lines.find((l) => l.startsWith("#fields"))!.split("\t").slice(1)
  return lines
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => Object.fromEntries(l.split("\t").map((v, i) => [fields[i]!, v])))
}

describeFixtures("Zeek conn.log of the same capture", () => {
  it.effect("every connection agrees on originator, packets, IP bytes and duration", () =>
    Effect.gen(function* () {
      const zeek = conns()
      expect(zeek).toHaveLength(15)
      const { flows } = yield* collectCapture(fixture("normal/infectedPCAP-infected.pcap"))
      expect(flows).toHaveLength(zeek.length)
      for (const c of zeek) {
        const proto = c["proto"] === "tcp" ? 6 : c["proto"] === "udp" ? 17 : 1
        const f = flows.find(
          (x) =>
            x.protocol === proto &&
            x.src_ip === c["id.orig_h"] &&
            x.src_port === Number(c["id.orig_p"]) &&
            x.dst_ip === c["id.resp_h"] &&
            x.dst_port === Number(c["id.resp_p"])
        )
        const id = `${c["uid"]} ${c["id.orig_h"]}:${c["id.orig_p"]} -> ${c["id.resp_h"]}:${c["id.resp_p"]}`
        expect(f, id).toBeDefined()
        expect([f!.fwd_packets, f!.bwd_packets], id).toEqual([Number(c["orig_pkts"]), Number(c["resp_pkts"])])
        expect([f!.fwd_bytes, f!.bwd_bytes], id).toEqual([Number(c["orig_ip_bytes"]), Number(c["resp_ip_bytes"])])
        const duration = c["duration"] === "-" ? 0 : Number(c["duration"])
        const late = Number(f!.duration_s) - duration
        if (/F/.test(c["history"]!) && /f/.test(c["history"]!)) {
          // rule ZEEK_CLOSE: Zeek's duration stops at the FIN that completes the close; the ACKs
          // after it are counted (packets agree) but do not move its last time. Ours ends with
          // the last packet the linger absorbed, less than tcp_linger_s later.
          expect(f!.end_reason, id).toBe("fin")
          expect(late, id).toBeGreaterThanOrEqual(-2e-6)
          expect(late, id).toBeLessThan(1)
        } else expect(Math.abs(late), id).toBeLessThan(2e-6)
        expect(Math.abs(Number(f!.first_seen_us) / 1e6 - Number(c["ts"])), id).toBeLessThan(2e-6)
      }
    }))
})
