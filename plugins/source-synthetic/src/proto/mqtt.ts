/**
 * MQTT 3.1.1 control packets: CONNECT/CONNACK, SUBSCRIBE/SUBACK, PUBLISH (QoS 0) and the
 * PINGREQ/PINGRESP heartbeat that makes IoT sessions look periodic.
 *
 * Holds: byte-exact builders for those packets.
 * Does not hold: session timing (see `behaviours/keepalive-apps.ts`).
 */

const remainingLength = (n: number): Buffer => {
  const out: Array<number> = []
  let x = n
  do {
    let byte = x % 128
    x = Math.floor(x / 128)
    if (x > 0) byte |= 0x80
    out.push(byte)
  } while (x > 0)
  return Buffer.from(out)
}

const str = (text: string): Buffer => {
  const body = Buffer.from(text, "utf8")
  return Buffer.concat([Buffer.of(body.length >>> 8, body.length & 0xff), body])
}

const packet = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.of(type), remainingLength(body.length), body])

export const mqttConnect = (clientId: string, keepaliveS: number, user?: string): Buffer => {
  const flags = 0x02 | (user === undefined ? 0 : 0xc0)
  const variable = Buffer.concat([str("MQTT"), Buffer.of(4, flags, keepaliveS >>> 8, keepaliveS & 0xff)])
  const payload = user === undefined ? str(clientId) : Buffer.concat([str(clientId), str(user), str("x".repeat(24))])
  return packet(0x10, Buffer.concat([variable, payload]))
}

export const MQTT_CONNACK = Buffer.of(0x20, 0x02, 0x00, 0x00)
export const MQTT_PINGREQ = Buffer.of(0xc0, 0x00)
export const MQTT_PINGRESP = Buffer.of(0xd0, 0x00)

export const mqttSubscribe = (packetId: number, topic: string): Buffer =>
  packet(0x82, Buffer.concat([Buffer.of(packetId >>> 8, packetId & 0xff), str(topic), Buffer.of(0)]))

export const mqttSuback = (packetId: number): Buffer => Buffer.of(0x90, 0x03, packetId >>> 8, packetId & 0xff, 0x00)

export const mqttPublish = (topic: string, payload: string): Buffer =>
  packet(0x30, Buffer.concat([str(topic), Buffer.from(payload, "utf8")]))
