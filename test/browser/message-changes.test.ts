/**
 * Messages that change, in two Chromium profiles against the real server: edit, delete (with its
 * confirmation), react and take it back, reply (quote, jump, count), and a mention that raises
 * bob's badge and, with the tab hidden, a desktop notification that opens the message.
 */
import { randomUUID } from 'node:crypto'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { api, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import {
  type Browser,
  browser,
  enterRoom,
  myName,
  send,
  signedInAs,
  uniqueName,
  waitForMessage,
} from './support.js'

/** A stored message in the open room, found by its text. */
function message(page: Page, text: string): Locator {
  return page.locator('.messages li.msg:not(.pending)', {
    has: page.locator('.text', { hasText: text }),
  })
}

/** Shows a message's actions (hover) and presses one of them. */
async function act(page: Page, text: string, action: string): Promise<void> {
  const item = message(page, text)
  await item.hover()
  await item.getByRole('button', { name: action, exact: true }).click()
}

/**
 * A Notification that records what the page shows, and a visibility the test sets: headless
 * Chromium has neither a desktop to show notices on nor a way to hide a tab. (A string: it runs
 * in the page, and the test files are typed without the DOM.)
 */
const STUB_NOTIFICATIONS = `
  window.__notes = []
  window.__asked = 0
  window.__hidden = false
  Object.defineProperty(Document.prototype, 'visibilityState', {
    configurable: true,
    get: () => (window.__hidden ? 'hidden' : 'visible'),
  })
  class FakeNotification {
    static permission = 'default'
    static requestPermission() {
      window.__asked += 1
      FakeNotification.permission = 'granted'
      return Promise.resolve('granted')
    }
    constructor(title, options) {
      this.title = title
      this.body = (options && options.body) || ''
      this.onclick = null
      window.__notes.push(this)
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { configurable: true, value: FakeNotification })
`

async function signUp(b: Browser, url: string, prefix: string): Promise<string> {
  await signedInAs(b, url, uniqueName(prefix))
  return myName(b)
}

describe('web client: messages that change', () => {
  test(
    'edit, delete with confirmation, react and take it back, reply and jump, a mention notifies',
    { timeout: 120_000 },
    async () => {
      const server = await startServer({ RATE_LIMITS: 'off' })
      const [alice, bob] = await Promise.all([browser(), browser()])
      await bob.context.addInitScript({ content: STUB_NOTIFICATIONS })
      const [aliceName, bobName] = await Promise.all([
        signUp(alice, server.url, 'alice'),
        signUp(bob, server.url, 'bob'),
      ])
      await enterRoom(alice, 'general')
      await enterRoom(bob, 'general')

      // Markdown: bob sees alice's bold as bold.
      await send(alice.page, 'hello **bob**, see `code`')
      await waitForMessage(bob.page, 'hello bob')
      expect(await message(bob.page, 'hello bob').locator('strong').innerText()).toBe('bob')
      expect(await message(bob.page, 'hello bob').locator('code').innerText()).toBe('code')

      // Edit: Up in the empty box opens the editor on my last message; Escape leaves it as it was.
      const box = alice.page.getByLabel('Message #general')
      await box.press('ArrowUp')
      const editor = alice.page.getByLabel('Edit message')
      expect(await editor.inputValue()).toBe('hello **bob**, see `code`')
      await editor.press('Escape')
      await editor.waitFor({ state: 'detached' })
      // Then from the message's Edit action, saved with Enter: bob sees the new text, "(edited)".
      await act(alice.page, 'hello bob', 'Edit')
      await editor.fill('hello *bob*, fixed')
      await editor.press('Enter')
      await waitForMessage(bob.page, 'hello bob, fixed')
      const edited = message(bob.page, 'hello bob, fixed')
      expect(await edited.locator('em').innerText()).toBe('bob')
      expect(await edited.locator('.edited').getAttribute('title')).toMatch(/^Edited /)
      expect(await bob.page.getByText('hello bob, see').count()).toBe(0)

      // React: bob reacts 👍; both see it, mine pressed; who reacted on hover; bob takes it back.
      await act(bob.page, 'hello bob, fixed', 'React')
      await bob.page.getByRole('button', { name: 'React with 👍' }).click()
      const aliceChip = message(alice.page, 'hello bob, fixed').locator('.reaction')
      await aliceChip.waitFor()
      expect(await aliceChip.innerText()).toMatch(/👍\s*1/)
      expect(await aliceChip.getAttribute('aria-pressed')).toBe('false')
      expect(await aliceChip.getAttribute('title')).toBe(bobName)
      const bobChip = message(bob.page, 'hello bob, fixed').locator('.reaction')
      await bobChip.waitFor()
      expect(await bobChip.getAttribute('aria-pressed')).toBe('true')
      // Alice adds hers by clicking the chip: 2.
      await aliceChip.click()
      await bobChip.filter({ hasText: '2' }).waitFor()
      await bobChip.click()
      await aliceChip.filter({ hasText: '1' }).waitFor()
      expect(await aliceChip.getAttribute('aria-pressed')).toBe('true')
      await aliceChip.click()
      await bobChip.waitFor({ state: 'detached' })

      // Reply: bob answers alice's message; the quote shows above his box (Escape cancels),
      // then on the reply.
      await act(bob.page, 'hello bob, fixed', 'Reply')
      const replying = bob.page.locator('.replying .quote', { hasText: 'hello bob, fixed' })
      await replying.waitFor()
      await bob.page.getByLabel('Message #general').press('Escape')
      await replying.waitFor({ state: 'detached' })
      await act(bob.page, 'hello bob, fixed', 'Reply')
      await replying.waitFor()
      await send(bob.page, 'agreed')
      await waitForMessage(alice.page, 'agreed')
      expect(await bob.page.locator('.replying').count()).toBe(0)
      const reply = message(alice.page, 'agreed')
      expect(await reply.locator('.quote').innerText()).toMatch(
        new RegExp(`${aliceName}\\s*hello bob, fixed`),
      )
      await message(alice.page, 'hello bob, fixed')
        .locator('.replies', { hasText: '1 reply' })
        .waitFor()
      // Clicking the quote jumps to the parent: highlighted and focused.
      await send(alice.page, 'something else')
      await reply.getByRole('button', { name: /^Reply to / }).click()
      await alice.page.locator('li.msg.highlight', { hasText: 'hello bob, fixed' }).waitFor()
      await alice.page.locator('li.msg:focus', { hasText: 'hello bob, fixed' }).waitFor()

      // Delete: the dialog asks first; Cancel keeps the message, Delete removes it for everyone.
      await act(alice.page, 'hello bob, fixed', 'Delete')
      const dialog = alice.page.getByRole('dialog', { name: 'Delete this message?' })
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await dialog.waitFor({ state: 'detached' })
      expect(await message(bob.page, 'hello bob, fixed').count()).toBe(1)
      await act(alice.page, 'hello bob, fixed', 'Delete')
      await dialog.getByRole('button', { name: 'Delete' }).click()
      await bob.page.locator('li.msg.deleted', { hasText: 'message deleted' }).waitFor()
      expect(await bob.page.getByText('hello bob, fixed').count()).toBe(0)
      // The reply's quote now says the parent is gone; bob cannot act on a tombstone.
      await message(bob.page, 'agreed').locator('.quote', { hasText: 'deleted message' }).waitFor()
      expect(await bob.page.locator('li.msg.deleted .msg-actions').count()).toBe(0)
      // Bob may not delete alice's message (no role): no Delete on hers, Delete on his own.
      const others = message(bob.page, 'something else')
      await others.hover()
      expect(await others.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0)
      const own = message(bob.page, 'agreed')
      await own.hover()
      expect(await own.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(1)

      // Mentions: the permission is asked only from the control, never on load.
      expect(await bob.page.evaluate<number>('window.__asked')).toBe(0)
      await bob.page.getByRole('button', { name: 'Turn on desktop notifications' }).click()
      await bob.page.getByText('Desktop notifications on').waitFor()
      expect(await bob.page.evaluate<number>('window.__asked')).toBe(1)
      // Bob elsewhere, tab visible: alice's mention raises the badge, no desktop notification.
      await enterRoom(bob, 'side')
      // Alice picks bob from the @ suggestions (listbox; Tab picks the active one).
      await box.fill(`@${bobName.slice(0, 3)}`)
      const option = alice.page.getByRole('option', { name: `@${bobName}` })
      await option.waitFor()
      expect(await option.getAttribute('aria-selected')).toBe('true')
      expect(await box.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'))
      await box.press('Tab')
      expect(await box.inputValue()).toBe(`@${bobName} `)
      await box.pressSequentially('please look')
      await box.press('Enter')
      await bob.page.getByLabel('1 mention').waitFor()
      // Tab hidden: the next mention is a desktop notification.
      await bob.page.evaluate('window.__hidden = true')
      await send(alice.page, `thanks @${bobName}!`)
      await bob.page.waitForFunction('window.__notes.length === 1')
      const [note] = await bob.page.evaluate<{ title: string; body: string }[]>(
        'window.__notes.map((n) => ({ title: n.title, body: n.body }))',
      )
      expect(note).toEqual({
        title: `${aliceName} mentioned you in #general`,
        body: `thanks @${bobName}!`,
      })
      await bob.page.getByLabel('2 mentions').waitFor()
      // Clicking it opens the room at that message; the badge is gone, the mention stands out.
      await bob.page.evaluate('window.__hidden = false; window.__notes[0].onclick()')
      await bob.page.getByRole('heading', { name: '# general' }).waitFor()
      await bob.page.locator('li.msg.highlight', { hasText: 'thanks' }).waitFor()
      await bob.page.getByLabel(/mentions?$/).waitFor({ state: 'detached' })
      const mention = message(bob.page, 'thanks').locator('.mention.me')
      expect(await mention.innerText()).toBe(`@${bobName}`)
      expect(await message(bob.page, 'thanks').getAttribute('class')).toContain('mentions-me')

      for (const b of [alice, bob]) {
        expect(b.dialogs).toEqual([])
        expect(b.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
      }
    },
  )

  test(
    'a reply to a message older than the loaded history: the quote comes with the timeline, a click loads back to it',
    { timeout: 90_000 },
    async () => {
      const server = await startServer({ RATE_LIMITS: 'off' })
      const carol = await registerUser(server.url, uniqueName('carol'))
      const post = async (text: string, replyTo?: number): Promise<number> => {
        const answer = await api(server.url, '/api/rooms/lobby/messages', {
          body: { text, cid: randomUUID(), ...(replyTo ? { replyTo } : {}) },
          token: carol.token,
        })
        return (answer.body as { message: { seq: number } }).message.seq
      }
      const question = await post('the old question')
      for (let i = 0; i < 60; i++) await post(`filler ${i}`)
      await post('the late answer', question)

      const b = await browser()
      await signedInAs(b, server.url, uniqueName('dan'))
      await waitForMessage(b.page, 'the late answer')
      const reply = message(b.page, 'the late answer')
      expect(await reply.locator('.quote').innerText()).toMatch(/the old question/)
      expect(await message(b.page, 'the old question').count()).toBe(0)
      await reply.getByRole('button', { name: /^Reply to / }).click()
      await b.page.locator('li.msg.highlight', { hasText: 'the old question' }).waitFor()
      await message(b.page, 'the old question')
        .locator('.replies', { hasText: '1 reply' })
        .waitFor()
      expect(await message(b.page, 'the old question').isVisible()).toBe(true)
    },
  )
})
