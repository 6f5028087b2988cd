/**
 * The connection state told honestly, in Chromium against a real server: with the server down or
 * the network cut the banner says so with the next try's countdown and Retry now (never the
 * long-poll fallback, which needs HTTP to work); the online list is unknown, not stale; what you
 * write is "Not sent" with Retry after a bounded time, then lands in the order written.
 */
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { SEND_TIMEOUT_MS } from '../../web/src/chat/outbox-sender.js'
import { api, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { freePort, freshDataDir, spawnServer, startServer } from '../support/start-server.js'
import {
  browser,
  messageTexts,
  myName,
  send,
  signedInAs,
  skippingBackoff,
  waitForMessage,
} from './support.js'

/** Records every text the status banners show from now on (a fallback claim would be kept). */
async function recordBanners(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(`(() => {
    window.__banners = []
    const note = () => {
      const text = document.querySelector('.banners')?.textContent ?? ''
      if (text) window.__banners.push(text)
    }
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true })
  })()`)
  return () => page.evaluate<string[]>('window.__banners')
}

/** Resolves when the page's HTTP probe (the fallback's "does plain HTTP work?") fails. */
function failedProbe(page: Page): Promise<unknown> {
  return page.waitForEvent('requestfailed', {
    predicate: (request) => request.url().endsWith('/api/session'),
    timeout: 30_000,
  })
}

/** True when the element's whole box is inside the visible part of the message list. */
async function inView(page: Page, text: string): Promise<boolean> {
  const list = await page.locator('.scroller').boundingBox()
  const box = await page.locator('.messages li.msg', { hasText: text }).last().boundingBox()
  if (!list || !box) return false
  return box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1
}

async function lobbyFromServer(url: string, reader: TestUser): Promise<string[]> {
  const answer = await api(url, '/api/rooms/lobby/messages?limit=50', { token: reader.token })
  const { messages } = answer.body as { messages: Array<{ text: string }> }
  return messages.map((m) => m.text).reverse()
}

describe('connection state', () => {
  test(
    'server down: reconnecting with a countdown, never the fallback; Not sent, then delivered in order',
    { timeout: 120_000 },
    async () => {
      const env = { PORT: String(await freePort()), DATA_DIR: freshDataDir() }
      let server = await spawnServer(env)
      const b = await browser()
      const { page } = b
      // The page's clock runs as usual, but the test can skip ahead to the "Not sent" deadline.
      await b.context.clock.install()
      await signedInAs(b, server.url, uniqueName('ann'))
      const me = await myName(b)
      await send(page, 'before')
      await waitForMessage(page, 'before')
      // The server acknowledged it: confirmed under the message.
      await page.locator('li.msg', { hasText: 'before' }).locator('.delivery.sent').waitFor()
      await page.locator('.online-list li', { hasText: me }).waitFor()
      const banners = await recordBanners(page)

      const firstProbe = failedProbe(page)
      await server.stop('SIGTERM')
      const banner = page.locator('.banner-reconnecting')
      await banner.getByText('Cannot reach the server').waitFor()
      await banner.getByText(/Reconnecting in \d+ s…/).waitFor()
      // Who is online is unknown while disconnected, not the list from before.
      await page.getByText('Online: unknown while disconnected').waitFor()
      expect(await page.locator('.online-list li').count()).toBe(0)

      // After the failed socket attempts the fallback's probe fails too; Retry now tries again at
      // once (and probes again). Neither may claim the fallback.
      await skippingBackoff(page, firstProbe)
      const secondProbe = failedProbe(page)
      await banner.getByRole('button', { name: 'Retry now' }).click()
      await secondProbe
      await banner.waitFor()
      expect((await banners()).filter((text) => /fallback|unavailable/i.test(text))).toEqual([])

      // Written while the server is down: waiting, then "Not sent" with Retry, never Sending… forever.
      const [one, three] = ['first while down', 'third while down']
      const written = [one, 'second while down', three]
      for (const text of written) await send(page, text)
      const first = page.locator('li.msg', { hasText: one })
      await first.getByText('Waiting for connection…').waitFor()
      await page.clock.fastForward(SEND_TIMEOUT_MS)
      for (const text of written) {
        const item = page.locator('li.msg.failed', { hasText: text })
        await item.getByText(/^Not sent/).waitFor()
        await item.getByRole('button', { name: 'Retry' }).waitFor()
      }
      expect(await page.getByText('Sending…').count()).toBe(0)

      server = await spawnServer(env)
      // Retry on the last one resends the room's queue from its oldest message.
      await page
        .locator('li.msg.failed', { hasText: three })
        .getByRole('button', { name: 'Retry' })
        .click()
      for (const text of written) await waitForMessage(page, text, 20_000)
      await page.locator('li.msg.pending, li.msg.failed').first().waitFor({ state: 'detached' })
      expect(await messageTexts(page)).toEqual(['before', ...written])
      const reader = await registerUser(server.url, uniqueName('reader'))
      expect(await lobbyFromServer(server.url, reader)).toEqual(['before', ...written])
      await page.locator('li.msg', { hasText: three }).locator('.delivery.sent').waitFor()
      expect(await page.locator('.delivery.sent').count()).toBe(1)
      await banner.waitFor({ state: 'detached' })
      await page.locator('.online-list li', { hasText: me }).waitFor()
    },
  )

  test(
    'network cut: "offline" with a countdown, no fallback; a send from scrolled up comes into view',
    { timeout: 90_000 },
    async () => {
      const server = await startServer({ SEND_BURST: '1000' })
      const bob = await registerUser(server.url, uniqueName('bob'))
      for (let i = 1; i <= 30; i++) {
        const body = { text: `filler ${i}`, cid: randomUUID() }
        await api(server.url, '/api/rooms/lobby/messages', { body, token: bob.token })
      }
      const b = await browser()
      const { page } = b
      await b.context.clock.install()
      await signedInAs(b, server.url, uniqueName('ann'))
      await waitForMessage(page, 'filler 30')
      const banners = await recordBanners(page)

      const probe = failedProbe(page)
      await b.context.setOffline(true)
      const banner = page.locator('.banner-reconnecting')
      await banner.getByText('You are offline').waitFor()
      await skippingBackoff(page, probe)
      await banner.getByText(/Reconnecting in \d+ s…/).waitFor()
      await banner.getByRole('button', { name: 'Retry now' }).waitFor()
      await page.getByText('Online: unknown while disconnected').waitFor()

      // Scrolled up, you write: your message (and that it is waiting) comes into view.
      await page.locator('.scroller').hover()
      await page.mouse.wheel(0, -100_000)
      await page.getByRole('button', { name: /Jump to latest/ }).waitFor()
      await send(page, 'written offline')
      await page.locator('li.msg.pending', { hasText: 'written offline' }).waitFor()
      await expect.poll(() => inView(page, 'written offline')).toBe(true)
      const item = page.locator('li.msg.failed', { hasText: 'written offline' })
      await page.clock.fastForward(SEND_TIMEOUT_MS)
      await item.getByText(/^Not sent: no connection/).waitFor()
      expect(await inView(page, 'written offline')).toBe(true)
      expect((await banners()).filter((text) => /fallback|unavailable/i.test(text))).toEqual([])

      await b.context.setOffline(false)
      await waitForMessage(page, 'written offline', 20_000)
      await page
        .locator('li.msg', { hasText: 'written offline' })
        .locator('.delivery.sent')
        .waitFor()
      await banner.waitFor({ state: 'detached' })
      await page.locator('.online-list li').first().waitFor()
    },
  )
})
