/**
 * axe-core on the login, register and chat pages (online, and offline with a message not sent),
 * light and dark, at desktop and phone widths: zero violations; on the phone every visible
 * control is at least 44 px both ways.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { SEND_TIMEOUT_MS } from '../../web/src/chat/outbox-sender.js'
import { api, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { noneFound, scanBothSchemes, smallTargets, VIEWPORTS } from './a11y-support.js'
import { browser, registerInUi, send, waitForMessage } from './support.js'

describe('accessibility', () => {
  for (const [width, viewport] of VIEWPORTS) {
    test(
      `login, register and chat: no axe violations (light and dark, ${width})`,
      { timeout: 90_000 },
      async () => {
        const server = await startServer()
        const b = await browser(viewport)
        const { page } = b
        // The page's clock runs as usual, but the test can skip ahead to the "Not sent" deadline.
        await b.context.clock.install()
        const found: Record<string, string[]> = {}

        await page.goto(`${server.url}/login`)
        await page.getByRole('button', { name: 'Sign in' }).waitFor()
        await scanBothSchemes(page, found, 'login')
        await page.goto(`${server.url}/register`)
        await page.getByRole('button', { name: 'Create account' }).waitFor()
        await scanBothSchemes(page, found, 'register')

        const bob = await registerUser(server.url, uniqueName('bob'))
        await registerInUi(page, server.url, uniqueName('ann'))
        await api(server.url, '/api/rooms/lobby/messages', {
          body: { text: 'hello from bob', cid: randomUUID() },
          token: bob.token,
        })
        await waitForMessage(page, 'hello from bob')
        await send(page, 'hi bob, https://example.com')
        await waitForMessage(page, 'hi bob')
        await scanBothSchemes(page, found, 'chat')
        // The members panel (the lobby's: its members and the invite form).
        await page.getByRole('button', { name: 'Members' }).click()
        await page.getByRole('list', { name: 'Members' }).waitFor()
        await scanBothSchemes(page, found, 'members panel')
        if (width === 'phone') found['members panel tap targets'] = await smallTargets(page)
        await page.keyboard.press('Escape')
        await page.getByRole('list', { name: 'Members' }).waitFor({ state: 'detached' })
        // Cut off: the offline banner with its countdown, a "Not sent" message, the online list unknown.
        await b.context.setOffline(true)
        await send(page, 'written offline')
        await page.clock.fastForward(SEND_TIMEOUT_MS)
        await page.getByText(/^Not sent/).waitFor()
        await scanBothSchemes(page, found, 'offline')
        if (width === 'phone') found['offline tap targets'] = await smallTargets(page)
        await b.context.setOffline(false)
        await waitForMessage(page, 'written offline', 20_000)
        if (width === 'phone') {
          found['chat tap targets'] = await smallTargets(page)
          await page.getByRole('button', { name: 'Show rooms' }).click()
          await page.getByRole('button', { name: 'Log out' }).waitFor()
          await scanBothSchemes(page, found, 'drawer')
          found['drawer tap targets'] = await smallTargets(page)
        }
        expect(found).toEqual(noneFound(found))
      },
    )
  }
})
