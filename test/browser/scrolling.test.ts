/**
 * The message list's scrolling in Chromium against the real server: it sticks to the bottom
 * whatever the composer's height, shows a "new messages" line and a jump-to-latest button with a
 * count when scrolled up, and sending while scrolled up brings your message into view.
 */
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { api, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, send, signedInAs, waitForMessage, type Browser } from './support.js'

async function post(baseUrl: string, user: TestUser, room: string, text: string): Promise<void> {
  const answer = await api(baseUrl, `/api/rooms/${room}/messages`, {
    body: { text, cid: randomUUID() },
    token: user.token,
  })
  expect(answer.status).toBe(201)
}

/** True when the message's whole item is inside the visible part of the list. */
async function fullyInView(page: Page, text: string): Promise<boolean> {
  const list = await page.locator('.scroller').boundingBox()
  const item = page.locator('.messages li.msg', { hasText: text }).last()
  if (!list || (await item.count()) === 0) return false
  const box = await item.boundingBox()
  if (!box) return false
  return box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1
}

async function scrollToTop(page: Page): Promise<void> {
  await page.locator('.scroller').hover()
  await page.mouse.wheel(0, -100_000)
}

/** Bob has filled the lobby with more than a screenful; Alice signs up and sits at its bottom. */
async function crowdedLobby(): Promise<{ url: string; bob: TestUser; alice: Browser }> {
  const server = await startServer({ SEND_BURST: '1000' })
  const bob = await registerUser(server.url, uniqueName('bob'))
  for (let i = 1; i <= 30; i++) await post(server.url, bob, 'lobby', `filler ${i}`)
  const alice = await browser({ width: 1100, height: 720 })
  await signedInAs(alice, server.url, uniqueName('alice'))
  await waitForMessage(alice.page, 'filler 30')
  await expect.poll(() => fullyInView(alice.page, 'filler 30')).toBe(true)
  return { url: server.url, bob, alice }
}

describe('message list scrolling', () => {
  test(
    'stays at the bottom while the composer grows and shrinks',
    { timeout: 60_000 },
    async () => {
      const { url, bob, alice } = await crowdedLobby()
      const box = alice.page.getByLabel(/^Message #/)
      await box.click()
      for (const line of ['one', 'two', 'three']) {
        await box.pressSequentially(line)
        await box.press('Shift+Enter')
      }
      await box.pressSequentially('four')
      await post(url, bob, 'lobby', 'while you draft')
      await waitForMessage(alice.page, 'while you draft')
      await expect.poll(() => fullyInView(alice.page, 'while you draft')).toBe(true)

      await box.fill('')
      await post(url, bob, 'lobby', 'after the draft')
      await waitForMessage(alice.page, 'after the draft')
      await expect.poll(() => fullyInView(alice.page, 'after the draft')).toBe(true)
      await expect.poll(() => alice.page.locator('.jump').count()).toBe(0)
    },
  )

  test(
    'scrolled up: a new-messages line, a jump button with a count, and your own send comes into view',
    { timeout: 60_000 },
    async () => {
      const { url, bob, alice } = await crowdedLobby()
      const { page } = alice
      await scrollToTop(page)
      await page.getByRole('button', { name: /Jump to latest/ }).waitFor()

      await post(url, bob, 'lobby', 'news one')
      await post(url, bob, 'lobby', 'news two')
      await page.getByRole('button', { name: '2 new messages · Jump to latest' }).waitFor()
      expect(await fullyInView(page, 'news two')).toBe(false)
      // The line sits right before the first message that arrived while scrolled up.
      const afterLine = page.locator('.new-line + li.msg')
      expect(await afterLine.innerText()).toContain('news one')

      await page.getByRole('button', { name: /Jump to latest/ }).click()
      await expect.poll(() => fullyInView(page, 'news two')).toBe(true)
      await expect.poll(() => page.locator('.jump').count()).toBe(0)

      await scrollToTop(page)
      await page.getByRole('button', { name: /Jump to latest/ }).waitFor()
      await send(page, 'mine, sent from up there')
      await waitForMessage(page, 'mine, sent from up there')
      await expect.poll(() => fullyInView(page, 'mine, sent from up there')).toBe(true)
    },
  )

  test(
    'a room opened with unread messages shows the new-messages line at the read mark',
    { timeout: 60_000 },
    async () => {
      const { url, bob, alice } = await crowdedLobby()
      const { page } = alice
      await page.getByLabel('New room').fill(uniqueName('side').toLowerCase().slice(0, 20))
      await page.getByRole('button', { name: 'Create' }).click()
      await page.getByRole('heading', { name: /^# side/ }).waitFor()
      await post(url, bob, 'lobby', 'while you were away')
      await post(url, bob, 'lobby', 'and more')
      await page.getByRole('button', { name: /lobby/ }).first().click()
      await page.getByRole('heading', { name: '# lobby' }).waitFor()
      await waitForMessage(page, 'and more')
      const afterLine = page.locator('.new-line + li.msg')
      expect(await afterLine.innerText()).toContain('while you were away')
      expect(await page.locator('.new-line').count()).toBe(1)
    },
  )
})
