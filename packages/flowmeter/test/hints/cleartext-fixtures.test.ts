/**
 * Cleartext hints on real captures: JSON-RPC method names of real mining sessions (Stratum
 * v1, XMRig/Monero, ETH getWork over Stratum-style TCP), JSON-RPC in an HTTP POST body, HTTP
 * Host and DNS QNAME — compared with what the captures hold (PROVENANCE.md) and with nDPI's
 * Hostname/SNI field where nDPI reports one.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { expect } from "vitest"
import { collectFlowHints, type FlowHints } from "./capture-walker.js"
import { readNdpiFlows } from "./ndpi-results.js"

const flows = (capture: string, budget?: number): Array<FlowHints> => [...collectFlowHints(fixture(capture), budget).values()]

const withMethods = (capture: string, budget?: number): Array<FlowHints> =>
  flows(capture, budget).filter((f) => f.hints.jsonrpcMethods.length > 0)

const STRATUM = ["mining.subscribe", "mining.authorize", "mining.set_target", "mining.extranonce.subscribe", "mining.notify", "mining.submit"]

describeFixtures("JSON-RPC hints on real mining captures", () => {
  it("peafowl-stratum.pcap: both Stratum sessions give all six methods in order of first use, app_proto stratum", () => {
    const found = withMethods("mining/peafowl-stratum.pcap")
    expect(found.map((f) => f.dstPort)).toEqual([3333, 3333])
    for (const f of found) {
      expect(f.hints.jsonrpcMethods).toEqual(STRATUM)
      expect(f.hints.appProto).toBe("stratum")
      expect(f.hints.tlsSni).toBeNull()
      expect(f.hints.httpHost).toBeNull()
    }
    // the collector keeps asking for packets while it scans JSON-RPC: the long session is fed whole
    expect(found.map((f) => f.fed).sort((a, b) => a - b)).toEqual(found.map((f) => f.payloads.length).sort((a, b) => a - b))
  })

  it("peafowl-stratum.pcap within a 10-packet budget: the handshake methods are already there", () => {
    for (const f of withMethods("mining/peafowl-stratum.pcap", 10)) {
      expect(f.fed).toBe(10)
      expect(f.hints.appProto).toBe("stratum")
      expect(f.hints.jsonrpcMethods.slice(0, 4)).toEqual(STRATUM.slice(0, 4))
      expect(STRATUM).toEqual(expect.arrayContaining([...f.hints.jsonrpcMethods]))
    }
  })

  it("peafowl-monero.pcap: XMRig login, submit, job (order of first use), app_proto jsonrpc", () => {
    const [session, ...rest] = withMethods("mining/peafowl-monero.pcap")
    expect(rest).toEqual([])
    expect(session?.dst).toBe("178.32.196.217")
    expect(session?.dstPort).toBe(9050)
    expect(session?.hints.jsonrpcMethods).toEqual(["login", "submit", "job"])
    expect(session?.hints.appProto).toBe("jsonrpc")
  })

  it("nesfit-eth-eu1.nanopool.org.pcapng: eth_submitLogin, eth_getWork, eth_submitHashrate, eth_submitWork", () => {
    const [session, ...rest] = withMethods("mining/nesfit-eth-eu1.nanopool.org.pcapng")
    expect(rest).toEqual([])
    expect(session?.key).toBe("TCP 147.229.13.222:49307 185.71.66.39:9999")
    expect(session?.hints.jsonrpcMethods).toEqual(["eth_submitLogin", "eth_getWork", "eth_submitHashrate", "eth_submitWork"])
    expect(session?.hints.appProto).toBe("jsonrpc")
  })

  it("ndpi-mining.pcapng (the same four sessions merged): the same method lists", () => {
    const lists = withMethods("mining/ndpi-mining.pcapng").map((f) => f.hints.jsonrpcMethods.join(","))
    expect(lists.sort()).toEqual(
      [
        "eth_submitLogin,eth_getWork,eth_submitHashrate,eth_submitWork",
        "login,submit,job",
        STRATUM.join(","),
        STRATUM.join(",")
      ].sort()
    )
  })

  it("peafowl-ethereum-js-http.pcap: HTTP POST to Geth, Host header and web3_clientVersion from the body", () => {
    const [call, ...rest] = flows("mining/peafowl-ethereum-js-http.pcap").filter((f) => f.hints.appProto !== null)
    expect(rest).toEqual([])
    expect(call?.key).toBe("TCP 127.0.0.1:33546 127.0.0.1:8545")
    expect(call?.hints).toEqual({
      appProto: "http",
      tlsSni: null,
      tlsJa3: null,
      tlsJa4: null,
      httpHost: "localhost:8545",
      dnsQname: null,
      jsonrpcMethods: ["web3_clientVersion"]
    })
  })

  it("ndpi-monero.pcap (Monero P2P, not JSON-RPC): no method names", () => {
    expect(withMethods("mining/ndpi-monero.pcap")).toEqual([])
  })
})

describeFixtures("HTTP and DNS hints on real captures", () => {
  it("dns_udp.pcap and dns_tcp.pcap: the first question's name, app_proto dns; the response flow ends the same", () => {
    for (const capture of ["formats/tcpdump/dns_udp.pcap", "formats/tcpdump/dns_tcp.pcap"]) {
      const found = flows(capture).filter((f) => f.hints.appProto !== null)
      expect(found.map((f) => [f.dstPort, f.hints.appProto, f.hints.dnsQname, f.fed])).toEqual([[53, "dns", "www.tcpdump.org", 1]])
    }
  })

  it("KakaoTalk_talk.pcap: nDPI's HTTP host (flow 8) and DNS name (flow 14) are ours", () => {
    const ours = collectFlowHints(fixture("formats/ndpi/KakaoTalk_talk.pcap"), 10)
    const ndpi = readNdpiFlows(fixture("formats/ndpi/KakaoTalk_talk.pcap.out.txt"))
    const http = ndpi.find((f) => f.line === 8)
    const dns = ndpi.find((f) => f.line === 14)
    expect(http?.hostname).toBe("hkminorshort.weixin.qq.com")
    expect(ours.get(http?.lookupKey ?? "")?.hints.httpHost).toBe(http?.hostname)
    expect(ours.get(http?.lookupKey ?? "")?.hints.appProto).toBe("http")
    // its POST body is binary (application/octet-stream): no JSON-RPC scan, no methods
    expect(ours.get(http?.lookupKey ?? "")?.hints.jsonrpcMethods).toEqual([])
    expect(dns?.hostname).toBe("mqtt.facebook.com")
    expect(ours.get(dns?.lookupKey ?? "")?.hints.dnsQname).toBe(dns?.hostname)
  })

  it("sites.pcapng: nDPI's HTTP host for the Likee flow; every HTTP flow nDPI names is http here", () => {
    const ours = collectFlowHints(fixture("formats/ndpi/sites.pcapng"), 10)
    const httpFlows = readNdpiFlows(fixture("formats/ndpi/sites.pcapng.out.txt")).filter((f) => f.proto.startsWith("7"))
    expect(httpFlows.length).toBe(5)
    for (const f of httpFlows) {
      const hints = ours.get(f.lookupKey)?.hints
      if (f.hostname !== null) expect(hints?.httpHost).toBe(f.hostname)
      // flows nDPI matched by port alone (it saw no request) may have no request here either
      if (hints?.appProto !== null) expect(hints?.appProto).toBe("http")
    }
    expect(ours.get(httpFlows[0]?.lookupKey ?? "")?.hints.httpHost).toBe("videosnap.like.video")
  })
})
