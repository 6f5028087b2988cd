/** The web client against the real server, in Debian's Chromium: two people chatting. */
import { describe, expect, test } from 'vitest'
import { startServer } from '../support/start-server.js'
import {
  browser,
  enterRoom,
  messageTexts,
  send,
  signedInAs,
  uniqueName,
  waitForMessage,
} from './support.js'

describe('web client: two people in their own browsers', () => {
  test(
    'two users chat both ways, see presence and typing, and HTML stays text',
    { timeout: 90_000 },
    async () => {
      // A dropped connection's "left" waits out the presence grace (5 s by default): a short one
      // here, so bob's logout is seen without that wait, through the same timer.
      const server = await startServer({ PRESENCE_LEAVE_GRACE_MS: '200' })
      const [alice, bob] = await Promise.all([browser(), browser()])
      const [aliceName, bobName] = [uniqueName('alice'), uniqueName('bob')]

      await Promise.all([
        signedInAs(alice, server.url, aliceName),
        signedInAs(bob, server.url, bobName),
      ])
      await enterRoom(alice, 'general')
      await enterRoom(bob, 'general')

      // Presence: alice sees bob arrive and listed as online.
      await alice.page.getByText(`${bobName} joined`).waitFor()
      await alice.page.locator('.online-list li', { hasText: bobName }).waitFor()

      // Typing shows in the other window.
      await alice.page.getByLabel('Message #general').pressSequentially('hel')
      await bob.page.getByText(`${aliceName} is typing…`).waitFor()

      const started = performance.now()
      await send(alice.page, 'hello bob')
      await waitForMessage(bob.page, 'hello bob')
      const firstMessageMs = performance.now() - started
      console.log(
        `time to first message (alice Enter → visible to bob): ${firstMessageMs.toFixed(0)} ms`,
      )

      await send(bob.page, 'hi alice')
      await waitForMessage(alice.page, 'hi alice')

      const hostile = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>']
      for (const text of hostile) await send(alice.page, text)
      for (const text of hostile) await waitForMessage(bob.page, text)
      await send(alice.page, 'docs at https://example.com/docs.')
      await waitForMessage(bob.page, 'docs at')

      for (const b of [alice, bob]) {
        expect(await messageTexts(b.page)).toEqual([
          'hello bob',
          'hi alice',
          ...hostile,
          'docs at https://example.com/docs.',
        ])
        expect(await b.page.locator('.messages .text img, .messages script').count()).toBe(0)
        const link = b.page.locator('.messages .text a', { hasText: 'https://example.com/docs' })
        expect(await link.getAttribute('href')).toBe('https://example.com/docs')
        expect(await link.getAttribute('rel')).toBe('noopener noreferrer')
        expect(await link.getAttribute('target')).toBe('_blank')
        expect(b.dialogs).toEqual([])
      }
      // Own messages are marked.
      expect(await alice.page.locator('.msg.own .text', { hasText: 'hello bob' }).count()).toBe(1)
      expect(await bob.page.locator('.msg.own .text', { hasText: 'hello bob' }).count()).toBe(0)

      // Unread counts: bob looks at another room while alice writes in #general.
      await enterRoom(alice, 'side')
      await enterRoom(bob, 'side')
      await alice.page.getByRole('button', { name: /general/ }).click()
      await send(alice.page, 'are you there?')
      await bob.page.getByLabel('1 unread').waitFor()
      await bob.page.getByRole('button', { name: /general/ }).click()
      await waitForMessage(bob.page, 'are you there?')
      await bob.page.getByLabel('1 unread').waitFor({ state: 'detached' })
      await send(bob.page, 'yes, reading now')
      await waitForMessage(alice.page, 'yes, reading now')

      // Log out: bob lands on /login and alice sees him leave.
      await bob.page.getByRole('button', { name: 'Log out' }).click()
      await bob.page.waitForURL(`${server.url}/login`)
      await alice.page.getByText(`${bobName} left`).waitFor()
      await bob.page.getByRole('heading', { name: 'Welcome back' }).waitFor()

      // Signed out, / sends you to /login.
      await bob.page.goto(`${server.url}/`)
      await bob.page.waitForURL(`${server.url}/login`)
      expect(alice.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
    },
  )
})
