/**
 * The report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) opens a page made from hostile dataset, capture, behaviour, feature and config
 * strings with no console error, no page error, no dialog (an injected alert would open one), no
 * request, no script element, every chart drawn, and the hostile strings shown as text; once as
 * served and once with its Content-Security-Policy bypassed, so escaping alone has to keep
 * injected handlers from running. Skips with a message when Chromium is absent.
 */
import { describeChromium, launchChromium, openOffline } from "@hashhound/testkit"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { evaluationHtmlReport } from "../src/index.js"
import { evaluationArtifacts, HOSTILE } from "./report-inputs.js"

describeChromium("report.evaluation-html in headless Chromium", () => {
  let browser: Browser | undefined
  const dir = mkdtempSync(join(tmpdir(), "hh-eval-chromium-"))

  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([false, true])("opens offline with no console error, no dialog and no script, hostile strings shown as text (CSP bypassed: %s)", { timeout: 60_000 }, async (bypassCSP) => {
    const files = await Effect.runPromise(Effect.flatMap(evaluationHtmlReport.make({}), (stage) => stage.render(evaluationArtifacts(true))))
    const path = join(dir, `report-${bypassCSP}.html`)
    writeFileSync(path, files[0]!.contents)
    // hovering rows and charts would fire an injected onmouseover
    const { errors, dialogs, requests, facts } = await openOffline(browser!, path, {
      bypassCSP,
      hover: ["table.breakdown tbody tr", "table.summary tbody tr", "figure.chart svg"]
    })
    expect(errors).toEqual([])
    expect(dialogs).toEqual([])
    expect(requests).toEqual([])
    expect(facts.scripts).toBe(0)
    expect(facts.images).toBe(0)
    expect(facts.handlers).toBe(0)
    expect(facts.charts).toBe(10)
    expect(facts.missing).toBe(0)
    expect(facts.text).toContain(HOSTILE.dataset)
    expect(facts.text).toContain(HOSTILE.capture)
    expect(facts.text).toContain(HOSTILE.behaviour)
    expect(facts.text).toContain(HOSTILE.benign)
  })
})
