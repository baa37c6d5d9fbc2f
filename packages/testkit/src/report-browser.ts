/**
 * Opening a rendered report in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core), offline, and collecting what a hostile page would give away: console errors,
 * page errors, dialogs (an injected alert opens one), network requests, and facts about the DOM.
 *
 * Holds: `describeChromium` (skips with a message when Chromium is absent), `launchChromium`,
 * `openOffline`. Does not hold: what a given report must contain (each report's test asserts that).
 */
import { existsSync } from "node:fs"
import { pathToFileURL } from "node:url"
import type { Browser } from "playwright-core"
import { describe } from "vitest"

export const CHROMIUM = "/usr/bin/chromium"
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export const hasChromium = (): boolean => existsSync(CHROMIUM)

/** A describe block that runs only when Chromium is installed, and says why when not. */
export const describeChromium = (name: string, body: () => void): void => {
  if (hasChromium()) describe(name, body)
  else describe.skip(`${name} [skipped: ${CHROMIUM} is absent; install Debian's chromium package to run it]`, body)
}

export const launchChromium = async (): Promise<Browser> => {
  const { chromium } = await import("playwright-core")
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

export interface PageFacts {
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

export interface OfflineVisit {
  readonly errors: ReadonlyArray<string>
  readonly dialogs: ReadonlyArray<string>
  readonly requests: ReadonlyArray<string>
  readonly facts: PageFacts
}

/**
 * Open `path` offline (optionally with its CSP bypassed, so escaping alone must keep injected
 * handlers from running), hover the given selectors (an injected onmouseover would fire), and
 * report what happened.
 */
export const openOffline = async (
  browser: Browser,
  path: string,
  options: { readonly bypassCSP: boolean; readonly hover: ReadonlyArray<string> }
): Promise<OfflineVisit> => {
  const context = await browser.newContext({ offline: true, javaScriptEnabled: true, bypassCSP: options.bypassCSP })
  try {
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
    for (const selector of options.hover) await page.hover(selector)
    const facts = await page.evaluate<PageFacts>(FACTS_IN_PAGE)
    return { errors, dialogs, requests, facts }
  } finally {
    await context.close()
  }
}
