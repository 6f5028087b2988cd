/** Helpers for the browser tests: build the client once, launch Debian's Chromium, drive pages. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'

const ROOT = new URL('../../', import.meta.url).pathname
export const WEB_DIST = join(ROOT, 'web/dist')

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Builds web/dist (the server serves it) and returns the gzipped sizes of the JS and CSS. */
export async function buildWeb(): Promise<{ jsGzipBytes: number; cssGzipBytes: number }> {
  // vitest sets NODE_ENV=test, which would make Vite and the Preact preset build a debug bundle.
  const nodeEnv = process.env['NODE_ENV']
  process.env['NODE_ENV'] = 'production'
  try {
    await build({
      mode: 'production',
      root: join(ROOT, 'web'),
      configFile: join(ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
    })
  } finally {
    process.env['NODE_ENV'] = nodeEnv
  }
  const assets = join(WEB_DIST, 'assets')
  let jsGzipBytes = 0
  let cssGzipBytes = 0
  for (const file of readdirSync(assets)) {
    const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length
    if (file.endsWith('.js')) jsGzipBytes += size
    if (file.endsWith('.css')) cssGzipBytes += size
  }
  return { jsGzipBytes, cssGzipBytes }
}

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  /** Alerts, confirms and prompts the page opened: an XSS would show up here. */
  readonly dialogs: string[]
  /** Console errors and CSP violations. */
  readonly errors: string[]
  close(): Promise<void>
}

/** One Chromium with its own profile (cookies, localStorage), like a separate person's browser. */
export async function launch(viewport = { width: 1100, height: 720 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'eddy-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  // Shorter than the test timeout, so a failure names the locator that never appeared.
  page.setDefaultTimeout(10_000)
  const dialogs: string[] = []
  const errors: string[] = []
  context.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return {
    context,
    page,
    dialogs,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export const PASSWORD = 'correct horse battery'

/** Registers through the UI and waits for the chat to be live. */
export async function registerInUi(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/register`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL(`${baseUrl}/`)
  await page.getByLabel(/^Message #/).waitFor()
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel(/^Message #/)
  await box.fill(text)
  await box.press('Enter')
}

/** The text of every stored message in the open room, in display order. */
export async function messageTexts(page: Page): Promise<string[]> {
  return page.locator('.messages li.msg:not(.pending):not(.failed) .text').allInnerTexts()
}

export async function waitForMessage(page: Page, text: string, timeoutMs = 10_000): Promise<void> {
  await page
    .locator('.messages li.msg:not(.pending):not(.failed) .text', { hasText: text })
    .first()
    .waitFor({ timeout: timeoutMs })
}

export function fileSize(path: string): number {
  return statSync(path).size
}
