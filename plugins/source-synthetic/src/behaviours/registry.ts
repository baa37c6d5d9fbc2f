/**
 * The behaviour catalogue: every behaviour type a scenario may name, mining and benign.
 *
 * Holds: `BEHAVIOURS` (type → definition) and `BEHAVIOUR_TYPES`.
 * Does not hold: any behaviour's logic.
 */
import type { BehaviourDef } from "./behaviour.js"
import { dnsBehaviour, ntpBehaviour } from "./benign-udp.js"
import { cloudSyncBehaviour, mqttIotBehaviour, websocketChatBehaviour } from "./keepalive-apps.js"
import { ethStratumBehaviour, stratumBtcBehaviour, stratumZecBehaviour, xmrigBehaviour, xmrStakBehaviour } from "./mining.js"
import { ethHttpBehaviour } from "./mining-http.js"
import { sshBulkBehaviour, sshInteractiveBehaviour } from "./ssh.js"
import { jsonRpcApiBehaviour, softwareUpdateBehaviour, videoStreamingBehaviour, webBrowsingBehaviour } from "./web.js"

export const BEHAVIOUR_TYPES = [
  "stratum_btc",
  "stratum_zec",
  "xmrig",
  "xmr_stak",
  "eth_stratum",
  "eth_http",
  "web_browsing",
  "video_streaming",
  "software_update",
  "jsonrpc_api",
  "mqtt_iot",
  "websocket_chat",
  "cloud_sync",
  "ssh_interactive",
  "ssh_bulk",
  "dns",
  "ntp"
] as const
export type BehaviourType = (typeof BEHAVIOUR_TYPES)[number]

export const BEHAVIOURS: Readonly<Record<BehaviourType, BehaviourDef>> = {
  stratum_btc: stratumBtcBehaviour,
  stratum_zec: stratumZecBehaviour,
  xmrig: xmrigBehaviour,
  xmr_stak: xmrStakBehaviour,
  eth_stratum: ethStratumBehaviour,
  eth_http: ethHttpBehaviour,
  web_browsing: webBrowsingBehaviour,
  video_streaming: videoStreamingBehaviour,
  software_update: softwareUpdateBehaviour,
  jsonrpc_api: jsonRpcApiBehaviour,
  mqtt_iot: mqttIotBehaviour,
  websocket_chat: websocketChatBehaviour,
  cloud_sync: cloudSyncBehaviour,
  ssh_interactive: sshInteractiveBehaviour,
  ssh_bulk: sshBulkBehaviour,
  dns: dnsBehaviour,
  ntp: ntpBehaviour
}
