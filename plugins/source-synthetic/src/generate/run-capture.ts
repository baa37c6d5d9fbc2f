/**
 * Generating one capture: the writer, label sink and engine for a scenario's capture `index`,
 * stepped in slices so the Effect around it can yield, then finished by renaming the files
 * into place (a killed run leaves only `.tmp` files behind).
 *
 * Holds: `GENERATOR_VERSION`, `captureFingerprint`, `captureFileNames`, `CaptureRun`.
 * Does not hold: the Effect API (see `generate.ts`).
 */
import { PcapWriter } from "@hashhound/flowmeter"
import { createHash } from "node:crypto"
import { renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Scenario } from "../scenario/schema.js"
import { Engine } from "../sim/engine.js"
import { buildWorld } from "./build-world.js"
import { LabelsWriter } from "./labels.js"

/** Bump when the generator's output for a given scenario changes. */
export const GENERATOR_VERSION = "1.0.0"

export const captureFingerprint = (scenario: Scenario, index: number): string =>
  createHash("sha256").update(JSON.stringify({ generator: GENERATOR_VERSION, scenario, index })).digest("hex")

export interface CaptureFiles {
  readonly id: string
  readonly pcap: string
  readonly labels: string
  readonly meta: string
}

export const captureFileNames = (scenario: Scenario, index: number, dir: string): CaptureFiles => {
  const id = `${scenario.name}-seed${scenario.seed}-${String(index).padStart(3, "0")}`
  return { id, pcap: join(dir, `${id}.pcap`), labels: join(dir, `${id}.labels.csv`), meta: join(dir, `${id}.meta.json`) }
}

export interface CaptureMeta {
  readonly fingerprint: string
  readonly generator: string
  readonly packets: number
  readonly bytes: number
  readonly flows: number
  readonly hosts: number
  readonly instances: number
}

export class CaptureRun {
  private readonly writer: PcapWriter
  private readonly labels: LabelsWriter
  private readonly engine: Engine
  private readonly hosts: number
  private readonly instances: number
  private finished = false

  constructor(
    private readonly scenario: Scenario,
    private readonly index: number,
    readonly files: CaptureFiles
  ) {
    this.writer = PcapWriter.open(`${files.pcap}.tmp`, { precision: scenario.precision, snaplen: scenario.snaplen })
    try {
      this.labels = new LabelsWriter(`${files.labels}.tmp`, scenario.name)
    } catch (error) {
      this.writer.close()
      throw error
    }
    const base = Math.floor(Date.parse(scenario.start_time) / 1000) + index * Math.ceil(scenario.duration_s)
    this.engine = new Engine(this.writer, this.labels, base, scenario.duration_s * 1e6)
    const built = buildWorld(scenario, index, this.engine)
    this.hosts = built.hosts
    this.instances = built.instances
  }

  get packets(): number {
    return this.engine.packets
  }

  /** Bytes of the capture file so far. */
  get bytes(): number {
    return this.writer.bytes
  }

  /** Handle up to `budget` events; true when the capture is complete. */
  step(budget: number): boolean {
    if (this.finished) return true
    this.finished = this.engine.run(budget)
    return this.finished
  }

  /** Close the files and move them into place with their metadata. */
  commit(): CaptureMeta {
    this.writer.close()
    this.labels.close()
    const meta: CaptureMeta = {
      fingerprint: captureFingerprint(this.scenario, this.index),
      generator: GENERATOR_VERSION,
      packets: this.engine.packets,
      bytes: this.writer.bytes,
      flows: this.labels.rows,
      hosts: this.hosts,
      instances: this.instances
    }
    renameSync(`${this.files.pcap}.tmp`, this.files.pcap)
    renameSync(`${this.files.labels}.tmp`, this.files.labels)
    writeFileSync(`${this.files.meta}.tmp`, `${JSON.stringify(meta, null, 2)}\n`)
    renameSync(`${this.files.meta}.tmp`, this.files.meta)
    return meta
  }

  /** Close and delete the partial files. */
  abandon(): void {
    try {
      this.writer.close()
      this.labels.close()
    } finally {
      rmSync(`${this.files.pcap}.tmp`, { force: true })
      rmSync(`${this.files.labels}.tmp`, { force: true })
    }
  }
}
