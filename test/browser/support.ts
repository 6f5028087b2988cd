/** Helpers for the browser tests: launch Debian's Chromium, sign up, drive pages. */
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  chromium,
  type Browser as PlaywrightBrowser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core'
import { expect, onTestFinished } from 'vitest'
import { RECONNECT_BACKOFF } from '../../web/src/backoff.js'
import { SESSION_COOKIE } from '../../src/protocol/index.js'
import { api, registerUser, type TestUser } from '../support/clients.js'

const ROOT = new URL('../../', import.meta.url).pathname

// Screenshots land in docs/ only when asked (SCREENSHOTS=1), so a plain test run leaves the tree clean.
export const SHOTS_DIR = process.env['SCREENSHOTS']
  ? join(ROOT, 'docs/')
  : `${mkdtempSync(join(tmpdir(), 'eddy-shots-'))}/`

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

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  /** Alerts, confirms and prompts the page opened: an XSS would show up here. */
  readonly dialogs: string[]
  /** Console errors and CSP violations. */
  readonly errors: string[]
  close(): Promise<void>
}

/**
 * One Chromium process per test worker, started on first use and kept for every browser file the
 * worker runs (the browser project does not isolate files): launching one and opening its first
 * page costs several seconds on this machine, once per worker instead of once per file. Every
 * "browser" below is a context of it, with its own cookies, storage and cache, as separate as
 * another person's profile. Playwright closes it when the worker exits.
 */
let shared: Promise<PlaywrightBrowser> | undefined

function chromiumProcess(): Promise<PlaywrightBrowser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
  return shared
}

/** A fresh browser context (cookies, localStorage), like a separate person's browser. */
export async function launch(viewport = { width: 1100, height: 720 }): Promise<Browser> {
  const context = await (await chromiumProcess()).newContext({ viewport })
  const page = await context.newPage()
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
    },
  }
}

/** A browser context closed when the calling test finishes, so tests do not pile them up. */
export async function browser(viewport?: { width: number; height: number }): Promise<Browser> {
  const b = await launch(viewport)
  onTestFinished(() => b.close())
  return b
}

let counter = 0
/** A username no other test (or parallel file) uses. */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 6)}`
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

/**
 * A person signed up over the HTTP API whose browser opens the chat already signed in: the
 * session cookie is set before the first page load, so it costs one load and no form. The tests
 * about the sign-up and sign-in forms themselves use registerInUi.
 */
export async function signedInAs(b: Browser, baseUrl: string, username: string): Promise<TestUser> {
  const user = await registerUser(baseUrl, username)
  await openSignedIn(b, baseUrl, user.token)
  return user
}

/** Another device of an existing person: a session of its own (a login), then the chat. */
export async function loggedInAs(b: Browser, baseUrl: string, user: TestUser): Promise<void> {
  const answer = await api(baseUrl, '/api/login', {
    body: { username: user.username, password: user.password },
  })
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status}`)
  await openSignedIn(b, baseUrl, (answer.body as { token: string }).token)
}

async function openSignedIn(b: Browser, baseUrl: string, token: string): Promise<void> {
  // As the server sets it (auth.ts): the page's own requests and its WebSocket carry it.
  await b.context.addCookies([
    { name: SESSION_COOKIE, value: token, url: baseUrl, httpOnly: true, sameSite: 'Lax' },
  ])
  await b.page.goto(`${baseUrl}/`)
  await b.page.getByLabel(/^Message #/).waitFor()
}

/** Creates the room, or opens it when someone else made it first (the server answers 409). */
export async function enterRoom(b: Browser, room: string): Promise<void> {
  await b.page.getByLabel('New room').fill(room)
  await b.page.getByRole('button', { name: 'Create' }).click()
  await b.page.getByRole('heading', { name: `# ${room}` }).waitFor()
}

/**
 * Alice and Bob, each signed in in their own browser and sitting in `room` (alice entered first). `clocks`: their pages
 * get Playwright's clock, which runs as usual until a test skips ahead (`page.clock.fastForward`).
 */
export async function twoUsersIn(
  baseUrl: string,
  room: string,
  options: { clocks?: boolean } = {},
): Promise<[Browser, Browser]> {
  const [alice, bob] = await Promise.all([browser(), browser()])
  if (options.clocks) for (const b of [alice, bob]) await b.context.clock.install()
  await Promise.all([
    signedInAs(alice, baseUrl, uniqueName('alice')),
    signedInAs(bob, baseUrl, uniqueName('bob')),
  ])
  await enterRoom(alice, room)
  await enterRoom(bob, room)
  return [alice, bob]
}

/**
 * Waits for `until` (a locator to show, or a promise such as a page event) while the page's
 * socket keeps failing, without waiting out the reconnect backoff: each check moves Playwright's
 * clock (installed by the test) past the longest delay before the long-poll probe (the third
 * retry's), so the failed attempts and the probe follow one another at once.
 */
export async function skippingBackoff(
  page: Page,
  until: Locator | Promise<unknown>,
  timeout = 15_000,
): Promise<void> {
  let settled = false
  // Settled either way: a rejection stops the polling and is thrown below.
  if (until instanceof Promise)
    until.then(
      () => (settled = true),
      () => (settled = true),
    )
  const reached = () => (until instanceof Promise ? Promise.resolve(settled) : until.isVisible())
  const step = RECONNECT_BACKOFF.baseMs * 2 ** 2
  await expect
    .poll(
      async () => {
        if (await reached()) return true
        await page.clock.fastForward(step)
        return reached()
      },
      { timeout, interval: 100 },
    )
    .toBe(true)
  // A rejected wait (a page event that timed out) fails here with its own message.
  if (until instanceof Promise) await until
}

/** The signed-in user's name, as the page shows it. */
export async function myName(b: Browser): Promise<string> {
  return (await b.page.locator('.me-name').innerText()).trim()
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
