/**
 * Checks a decoded scenario beyond its Schema: server, resolver and NAT names exist, addresses
 * and subnets parse, OS names are known, each mix entry's `params` decodes against its
 * behaviour's Schema (unknown keys rejected), and the start time is a date.
 *
 * Holds: `checkScenario`, returning ConfigIssues with YAML paths (`host_groups.1.mix.0.params.difficulty`).
 * Does not hold: decoding the file itself (see `load.ts`).
 */
import { ConfigIssue, decodeStrict } from "@hashhound/core"
import { parseIpv4, parseIpv6, parseMac } from "@hashhound/flowmeter"
import { Either } from "effect"
import { BEHAVIOURS } from "../behaviours/registry.js"
import { OS_NAMES } from "../sim/stacks.js"
import type { Scenario } from "./schema.js"

export const parseSubnet = (text: string): { base: number; bits: number } | undefined => {
  const [address, bitsText] = text.split("/")
  const base = parseIpv4(address ?? "")
  const bits = Number(bitsText ?? "32")
  if (Number.isNaN(base) || !Number.isInteger(bits) || bits < 8 || bits > 30) return undefined
  return { base, bits }
}

export const checkScenario = (s: Scenario): ReadonlyArray<ConfigIssue> => {
  const issues: Array<ConfigIssue> = []
  const issue = (path: string, message: string): void => {
    issues.push(new ConfigIssue({ path, message }))
  }
  const servers = new Set<string>()
  s.servers.forEach((server, i) => {
    if (servers.has(server.name)) issue(`servers.${i}.name`, `server "${server.name}" is defined twice`)
    servers.add(server.name)
    if (Number.isNaN(parseIpv4(server.ip))) issue(`servers.${i}.ip`, `not an IPv4 address: ${server.ip}`)
    if (server.ipv6 !== undefined && parseIpv6(server.ipv6) === undefined) issue(`servers.${i}.ipv6`, `not an IPv6 address: ${server.ipv6}`)
  })
  if (!servers.has(s.network.resolver)) issue("network.resolver", `no server named "${s.network.resolver}"`)
  if (parseMac(s.network.gateway_mac) === undefined) issue("network.gateway_mac", `not a MAC address: ${s.network.gateway_mac}`)
  const nats = new Set<string>()
  s.network.nat.forEach((nat, i) => {
    nats.add(nat.name)
    if (Number.isNaN(parseIpv4(nat.public_ip))) issue(`network.nat.${i}.public_ip`, `not an IPv4 address: ${nat.public_ip}`)
    if (nat.mac !== undefined && parseMac(nat.mac) === undefined) issue(`network.nat.${i}.mac`, `not a MAC address: ${nat.mac}`)
    if (nat.port_min > nat.port_max) issue(`network.nat.${i}.port_min`, "port_min is above port_max")
  })
  if (Number.isNaN(Date.parse(s.start_time))) issue("start_time", `not a date: ${s.start_time}`)
  const osNames: ReadonlyArray<string> = OS_NAMES
  s.host_groups.forEach((group, g) => {
    const at = `host_groups.${g}`
    const subnet = parseSubnet(group.subnet)
    if (subnet === undefined) issue(`${at}.subnet`, `not an IPv4 subnet (a.b.c.d/8..30): ${group.subnet}`)
    else if (group.first_host + group.count >= 2 ** (32 - subnet.bits)) issue(`${at}.count`, `${group.count} hosts from .${group.first_host} do not fit in ${group.subnet}`)
    const names = typeof group.os === "string" ? [group.os] : group.os.choice
    for (const name of names) if (!osNames.includes(name)) issue(`${at}.os`, `unknown OS "${name}" (known: ${OS_NAMES.join(", ")})`)
    if (group.nat !== undefined && !nats.has(group.nat)) issue(`${at}.nat`, `no NAT gateway named "${group.nat}"`)
    if (group.ipv6_prefix !== undefined && parseIpv6(`${group.ipv6_prefix.replace(/::?$/, "")}::1`) === undefined) issue(`${at}.ipv6_prefix`, `not an IPv6 prefix: ${group.ipv6_prefix}`)
    group.mix.forEach((entry, m) => {
      entry.servers.forEach((name, k) => {
        if (!servers.has(name)) issue(`${at}.mix.${m}.servers.${k}`, `no server named "${name}"`)
      })
      const def = BEHAVIOURS[entry.type]
      const decoded = decodeStrict(def.params, `${at}.mix.${m}.params`)(entry.params ?? {})
      if (Either.isLeft(decoded)) issues.push(...decoded.left)
    })
  })
  return issues
}
