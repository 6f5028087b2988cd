/**
 * Focus on every view change, in Chromium against the real server: sign-in and register, rooms
 * joined, created and left, the phone's room drawer, the message list and its history, and the
 * field-level error for a taken username.
 */
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { api, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import {
  browser,
  enterRoom,
  PASSWORD,
  registerInUi,
  signedInAs,
  waitForMessage,
} from './support.js'

/** What has focus: "#id", or the tag with its accessible name. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement
    if (!el || el === document.body) return 'body'
    if (el.id) return '#' + el.id
    return el.tagName.toLowerCase() + ' ' + (el.getAttribute('aria-label') || el.textContent.trim())
  })()`)
}

const scrollTop = (page: Page) =>
  page.evaluate<number>(`document.querySelector('.scroller')?.scrollTop ?? -1`)

describe('focus and field errors', () => {
  test(
    'a taken username is an error at the field: invalid, focused, cleared when the name changes',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const taken = await registerUser(server.url, uniqueName('taken'))
      const b = await browser()
      const { page } = b
      await page.goto(`${server.url}/register`)
      const name = page.getByLabel('Username')
      await name.fill(taken.username)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()

      await page.locator('#username-error', { hasText: 'That username is taken' }).waitFor()
      expect(await name.getAttribute('aria-invalid')).toBe('true')
      expect(await name.getAttribute('aria-describedby')).toBe('username-error')
      await page.locator('#username:focus').waitFor()
      expect(await page.locator('.form-error').count()).toBe(0)

      await name.press('End')
      await name.pressSequentially('x')
      expect(await name.getAttribute('aria-invalid')).toBe('false')
      expect(await page.getByText('That username is taken').count()).toBe(0)
    },
  )

  test(
    'sign-in and register put focus in the message box; switching forms starts at the first field',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const known = await registerUser(server.url, uniqueName('known'))
      const b = await browser()
      const { page } = b
      await page.goto(`${server.url}/login`)
      await expect.poll(() => focused(page)).toBe('#username')
      // Leaving the empty field for the link judges nothing: no error moves the link away.
      await page.getByRole('link', { name: 'Create an account' }).click()
      await page.getByRole('heading', { name: 'Create your account' }).waitFor()
      expect(await page.locator('.field-error').count()).toBe(0)
      await expect.poll(() => focused(page)).toBe('#username')
      await page.getByLabel('Password').fill('typed first')
      await page.getByRole('link', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Welcome back' }).waitFor()
      await expect.poll(() => focused(page)).toBe('#username')

      await page.getByLabel('Username').fill(known.username)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByLabel('Message #lobby').waitFor()
      await expect.poll(() => focused(page)).toBe('#composer-input')

      const other = await browser()
      await registerInUi(other.page, server.url, uniqueName('new'))
      await expect.poll(() => focused(other.page)).toBe('#composer-input')
    },
  )

  test(
    'creating or joining a room focuses its message box; leaving one focuses the room that opened',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const b = await browser()
      const { page } = b
      await signedInAs(b, server.url, uniqueName('ann'))
      const room = `focus-${randomUUID().slice(0, 6)}`
      // Someone else owns it (its last owner could not leave it): ann joins by its name.
      const owner = await registerUser(server.url, uniqueName('own'))
      await api(server.url, '/api/rooms', { body: { name: room }, token: owner.token })
      await enterRoom(b, room)
      await expect.poll(() => focused(page)).toBe('#composer-input')
      await page.getByLabel(`Message #${room}`).waitFor()

      await page.getByRole('button', { name: `Leave #${room}` }).click()
      await page.getByRole('heading', { name: '# lobby' }).waitFor()
      await expect.poll(() => focused(page)).toBe('button #lobby')
      const isCurrent = `document.activeElement === document.querySelector('.room-button.current')`
      expect(await page.evaluate<boolean>(isCurrent)).toBe(true)

      await page.getByRole('button', { name: `Join ${room}` }).click()
      await page.getByRole('heading', { name: `# ${room}` }).waitFor()
      await expect.poll(() => focused(page)).toBe('#composer-input')
      await page.getByRole('button', { name: /lobby/ }).first().click()
      await page.getByLabel('Message #lobby').waitFor()
      await expect.poll(() => focused(page)).toBe('#composer-input')
    },
  )

  test(
    'phone: the room drawer takes focus when opened, and Escape closes it back to the menu button',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const b = await browser({ width: 375, height: 740 })
      const { page } = b
      await signedInAs(b, server.url, uniqueName('ann'))
      const toggle = page.getByRole('button', { name: 'Show rooms' })
      const inDrawer = () => page.evaluate(`!!document.activeElement?.closest('.sidebar')`)

      await toggle.click()
      await expect.poll(inDrawer).toBe(true)
      await page.keyboard.press('Tab')
      expect(await inDrawer()).toBe(true)
      await page.keyboard.press('Escape')
      await page.locator('.chat.rooms-open').waitFor({ state: 'detached' })
      await expect.poll(() => focused(page)).toBe('button Show rooms')

      // Picking a room closes the drawer and puts focus in that room's message box.
      await toggle.click()
      await expect.poll(inDrawer).toBe(true)
      await page.locator('.sidebar').getByRole('button', { name: /lobby/ }).click()
      await page.locator('.chat.rooms-open').waitFor({ state: 'detached' })
      await expect.poll(() => focused(page)).toBe('#composer-input')

      // Open at phone width, then the window grows: the drawer closes, the room is usable again.
      await toggle.click()
      await expect.poll(inDrawer).toBe(true)
      await page.setViewportSize({ width: 1100, height: 720 })
      await page.locator('.chat.rooms-open').waitFor({ state: 'detached' })
      expect(await page.evaluate<boolean>(`document.querySelector('main').inert`)).toBe(false)
    },
  )

  test(
    'Tab from the message list does not jump it to the top; loading older history keeps focus',
    { timeout: 90_000 },
    async () => {
      const server = await startServer({ SEND_BURST: '1000' })
      const bob = await registerUser(server.url, uniqueName('bob'))
      for (let i = 1; i <= 70; i++) {
        const body = { text: `filler ${i}`, cid: randomUUID() }
        await api(server.url, '/api/rooms/lobby/messages', { body, token: bob.token })
      }
      const b = await browser()
      const { page } = b
      await signedInAs(b, server.url, uniqueName('ann'))
      await waitForMessage(page, 'filler 70')
      const scroller = page.locator('.scroller')
      await expect.poll(() => scrollTop(page)).toBeGreaterThan(500)
      const bottom = await scrollTop(page)

      await scroller.focus()
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('#composer-input')
      expect(await scrollTop(page)).toBe(bottom)
      expect(await page.getByText('filler 1', { exact: true }).count()).toBe(0)

      // Into the messages: Enter starts at the newest on screen, the arrows move, Tab reaches
      // that message's actions, Escape goes back to the list; nothing scrolls to the top.
      await scroller.focus()
      await page.keyboard.press('Enter')
      expect(await focused(page)).toContain('filler 70')
      await page.keyboard.press('ArrowUp')
      expect(await focused(page)).toContain('filler 69')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('button React')
      await page.keyboard.press('Shift+Tab')
      await page.keyboard.press('Escape')
      expect(await focused(page)).toBe('div Messages in lobby')
      expect(await page.getByText('filler 1', { exact: true }).count()).toBe(0)

      // The keyboard way back: Home in the focused list loads the older page, focus stays.
      await scroller.focus()
      await page.keyboard.press('Home')
      await waitForMessage(page, 'filler 1')
      expect(await focused(page)).toBe(`div Messages in lobby`)
    },
  )
})
