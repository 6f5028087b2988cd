/**
 * Reading and writing in Chromium against the real server: drafts stay with their room and
 * survive a reload; day separators and full dates; per-message direction; long messages
 * collapsed; a clear reason when Enter is refused over the length limit.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { api, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, signedInAs, waitForMessage, type Browser } from './support.js'

async function post(baseUrl: string, user: TestUser, room: string, text: string): Promise<void> {
  const answer = await api(baseUrl, `/api/rooms/${room}/messages`, {
    body: { text, cid: randomUUID() },
    token: user.token,
  })
  expect(answer.status).toBe(201)
}

async function signedIn(): Promise<{ url: string; b: Browser }> {
  const server = await startServer()
  const b = await browser()
  await signedInAs(b, server.url, uniqueName('reader'))
  return { url: server.url, b }
}

describe('reading and writing', () => {
  test('a draft stays with its room and survives a reload', { timeout: 60_000 }, async () => {
    const { b } = await signedIn()
    const { page } = b
    const room = `design${Math.random().toString(36).slice(2, 6)}`
    await page.getByLabel('New room').fill(room)
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: `# ${room}` }).waitFor()
    await page.getByLabel(`Message #${room}`).fill('half a thought for design')

    await page.getByRole('button', { name: /lobby/ }).first().click()
    const lobbyBox = page.getByLabel('Message #lobby')
    await lobbyBox.waitFor()
    expect(await lobbyBox.inputValue()).toBe('')
    await lobbyBox.fill('and one for the lobby')

    await page.reload()
    await page.getByLabel('Message #lobby').waitFor()
    expect(await page.getByLabel('Message #lobby').inputValue()).toBe('and one for the lobby')
    await page
      .getByRole('button', { name: new RegExp(room) })
      .first()
      .click()
    const designBox = page.getByLabel(`Message #${room}`)
    await designBox.waitFor()
    expect(await designBox.inputValue()).toBe('half a thought for design')

    // Sending clears that room's draft only.
    await designBox.press('Enter')
    await waitForMessage(page, 'half a thought for design')
    await page.reload()
    await page.getByLabel(`Message #${room}`).waitFor()
    expect(await page.getByLabel(`Message #${room}`).inputValue()).toBe('')
    await page.getByRole('button', { name: /lobby/ }).first().click()
    expect(await page.getByLabel('Message #lobby').inputValue()).toBe('and one for the lobby')
  })

  test(
    'day separators, full dates, per-message direction, long messages collapsed',
    { timeout: 60_000 },
    async () => {
      const { url, b } = await signedIn()
      const { page } = b
      const bob: TestUser = await registerUser(url, uniqueName('bob'))
      await post(url, bob, 'lobby', 'مرحبا بالعالم، كيف حالكم؟')
      const long = Array.from({ length: 60 }, (_, i) => `line ${i + 1} of a long report`).join('\n')
      await post(url, bob, 'lobby', long)
      await waitForMessage(page, 'line 60 of a long report')

      await page.locator('li.day', { hasText: 'Today' }).waitFor()
      const time = page.locator('li.msg time').first()
      expect(await time.getAttribute('title')).toContain(String(new Date().getFullYear()))

      const arabic = page.locator('li.msg .text', { hasText: 'مرحبا' })
      expect(await arabic.getAttribute('dir')).toBe('auto')

      const longItem = page.locator('li.msg', { hasText: 'line 60 of a long report' })
      const collapsed = await longItem.locator('.bubble').boundingBox()
      expect(collapsed?.height ?? 0).toBeLessThan(400)
      await longItem.getByRole('button', { name: 'Show more' }).click()
      await longItem.getByRole('button', { name: 'Show less' }).waitFor()
      const expanded = await longItem.locator('.bubble').boundingBox()
      expect(expanded?.height ?? 0).toBeGreaterThan(collapsed?.height ?? 0)
    },
  )

  test('Enter over the length limit says why nothing was sent', { timeout: 60_000 }, async () => {
    const { b } = await signedIn()
    const box = b.page.getByLabel('Message #lobby')
    await box.fill('x'.repeat(4_050))
    await box.press('Enter')
    const alert = b.page.getByRole('alert').filter({ hasText: 'Not sent: 50 too many' })
    await alert.waitFor()
    expect(await box.inputValue()).toHaveLength(4_050)
    await box.press('Backspace')
    await alert.waitFor({ state: 'detached' })
  })
})
