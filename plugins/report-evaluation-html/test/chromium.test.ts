/**
 * The report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) opens a page made from hostile dataset, capture, behaviour, feature and config
 * strings with no console error, no page error, no dialog (an injected alert would open one), no
 * request, no script element, every chart drawn, and the hostile strings shown as text; once as
 * served and once with its Content-Security-Policy bypassed, so escaping alone has to keep
 * injected handlers from running. Skips with a message when Chromium is absent.
 */
import type { Browser } from "playwright-core"
import { chromium } from "playwright-core"
import { Effect } from "effect"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { evaluationHtmlReport } from "../src/index.js"
import { evaluationArtifacts, HOSTILE } from "./report-inputs.js"

const CHROMIUM = "/usr/bin/chromium"
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

interface Facts {
  readonly scripts: number
  readonly images: number
  readonly handlers: number
  readonly charts: number
  readonly missing: number
  readonly text: string
}

/** Runs in the page (a string, so this Node-side file needs no DOM types). */
const FACTS_IN_PAGE = `(() => ({
  scripts: document.querySelectorAll("script").length,
  images: document.querySelectorAll("img, iframe, object, embed").length,
  handlers: [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((name) => name.startsWith("on")).length,
  charts: document.querySelectorAll("figure.chart > svg").length,
  missing: document.querySelectorAll("figure.missing").length,
  text: document.body.innerText
}))()`

const hasChromium = existsSync(CHROMIUM)
const suite = hasChromium ? describe : describe.skip
const title = hasChromium
  ? "report.evaluation-html in headless Chromium"
  : `report.evaluation-html in headless Chromium [skipped: ${CHROMIUM} is absent; install Debian's chromium package to run it]`

suite(title, () => {
  let browser: Browser | undefined
  const dir = mkdtempSync(join(tmpdir(), "hh-eval-chromium-"))

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([false, true])("opens offline with no console error, no dialog and no script, hostile strings shown as text (CSP bypassed: %s)", { timeout: 60_000 }, async (bypassCSP) => {
    const files = await Effect.runPromise(Effect.flatMap(evaluationHtmlReport.make({}), (stage) => stage.render(evaluationArtifacts(true))))
    const path = join(dir, `report-${bypassCSP}.html`)
    writeFileSync(path, files[0]!.contents)
    const context = await browser!.newContext({ offline: true, javaScriptEnabled: true, bypassCSP })
    const page = await context.newPage()
    const errors: Array<string> = []
    const dialogs: Array<string> = []
    const requests: Array<string> = []
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(`${message.type()}: ${message.text()}`)
    })
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`))
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) requests.push(request.url())
    })
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" })
    // hovering rows and charts would fire an injected onmouseover
    await page.hover("table.breakdown tbody tr")
    await page.hover("table.summary tbody tr")
    await page.hover("figure.chart svg")
    const facts = await page.evaluate<Facts>(FACTS_IN_PAGE)
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
    await context.close()
  })
})
