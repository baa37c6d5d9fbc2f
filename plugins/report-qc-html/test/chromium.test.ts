/**
 * The report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) opens a page made from hostile traffic strings with no console error, no page
 * error, no dialog (an injected alert would open one), no script element, every chart drawn, and
 * the hostile strings shown as text; once as served and once with its Content-Security-Policy
 * bypassed, so escaping alone has to keep injected handlers from running. The run has feature
 * artefacts with hostile group, feature, unit and label names, so the Features section (the
 * availability matrix and the scatter matrix) is opened and hovered too. Skips with a message
 * when Chromium is absent.
 */
import { describeChromium, launchChromium, openOffline } from "@hashhound/testkit"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { qcHtmlReport } from "../src/index.js"
import { HOSTILE, HOSTILE_FEATURE, labArtifacts } from "./report-inputs.js"

describeChromium("report.qc-html in headless Chromium", () => {
  let browser: Browser | undefined
  const dir = mkdtempSync(join(tmpdir(), "hh-qc-chromium-"))

  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([false, true])("opens offline with no console error, no dialog and no script, hostile strings shown as text (CSP bypassed: %s)", { timeout: 60_000 }, async (bypassCSP) => {
    const files = await Effect.runPromise(Effect.flatMap(qcHtmlReport.make({}), (stage) => stage.render(labArtifacts(true, undefined, true))))
    const path = join(dir, `qc-${bypassCSP}.html`)
    writeFileSync(path, files[0]!.contents)
    const { errors, dialogs, requests, facts } = await openOffline(browser!, path, {
      bypassCSP,
      hover: ["table.findings tbody tr", "#hints table", "table.availability tbody td", "#features figure.chart"]
    })
    expect(errors).toEqual([])
    expect(dialogs).toEqual([])
    expect(requests).toEqual([])
    expect(facts.scripts).toBe(0)
    expect(facts.images).toBe(0)
    expect(facts.handlers).toBe(0)
    expect(facts.charts).toBe(8)
    expect(facts.missing).toBe(0)
    expect(facts.text).toContain(HOSTILE.sni)
    expect(facts.text).toContain(HOSTILE.host)
    expect(facts.text).toContain(HOSTILE.qname)
    expect(facts.text).toContain(HOSTILE_FEATURE.group)
    expect(facts.text).toContain(HOSTILE_FEATURE.unit)
  })
})
