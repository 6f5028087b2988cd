/** The web client through a server restart, time offline and a reload: nothing lost, nothing doubled. */
import { describe, expect, test } from 'vitest'
import { freePort, freshDataDir, spawnServer, startServer } from '../support/start-server.js'
import { messageTexts, send, twoUsersIn, waitForMessage } from './support.js'

describe('web client: recovery', () => {
  test(
    'after a server restart and time offline, both pages show every message once, in order',
    { timeout: 120_000 },
    async () => {
      const port = await freePort()
      const env = { PORT: String(port), DATA_DIR: freshDataDir() }
      let server = await spawnServer(env)
      const [alice, bob] = await twoUsersIn(server.url, 'ops')

      await send(alice.page, 'one')
      await waitForMessage(bob.page, 'one')
      await send(bob.page, 'two')
      await waitForMessage(alice.page, 'two')

      // Bob drops off the network; alice keeps talking.
      await bob.context.setOffline(true)
      await send(alice.page, 'three (bob away)')
      await waitForMessage(alice.page, 'three (bob away)')
      // Bob writes while offline: it waits in his outbox.
      await send(bob.page, 'four (written offline)')
      await bob.page.locator('.msg.pending', { hasText: 'four (written offline)' }).waitFor()

      // The server restarts (same data dir) while alice writes.
      await server.stop('SIGTERM')
      await alice.page.getByText('Reconnecting…').waitFor()
      await send(alice.page, 'five (server down)')
      await alice.page.locator('.msg.pending', { hasText: 'five (server down)' }).waitFor()
      server = await spawnServer(env)
      await bob.context.setOffline(false)

      const expected = [
        'one',
        'two',
        'three (bob away)',
        'four (written offline)',
        'five (server down)',
      ]
      for (const b of [alice, bob]) {
        for (const text of expected) await waitForMessage(b.page, text, 20_000)
        await b.page.locator('.msg.pending').waitFor({ state: 'detached', timeout: 20_000 })
      }
      // Order between four and five is whichever reached the server first; each appears once.
      for (const b of [alice, bob]) {
        const texts = await messageTexts(b.page)
        expect(texts.slice(0, 3)).toEqual(expected.slice(0, 3))
        expect([...texts.slice(3)].sort()).toEqual(expected.slice(3).sort())
        expect(texts).toHaveLength(expected.length)
      }
      expect(await messageTexts(alice.page)).toEqual(await messageTexts(bob.page))
      await alice.page.getByText('Reconnecting…').waitFor({ state: 'detached' })
    },
  )

  test(
    'a message written while cut off survives a reload and is delivered once',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'outbox')

      // Cut bob off from both transports: sockets are refused and message POSTs fail.
      let cut = true
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        if (cut) void ws.close({ code: 1011, reason: 'test cuts' })
        else ws.connectToServer()
      })
      await bob.page.route(/\/api\/rooms\/[^/]+\/messages/, (route) =>
        cut && route.request().method() === 'POST' ? route.abort() : route.continue(),
      )
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await send(bob.page, 'kept in the outbox')
      await bob.page.locator('.msg.pending', { hasText: 'kept in the outbox' }).waitFor()

      await bob.page.reload()
      await bob.page.locator('.msg.pending', { hasText: 'kept in the outbox' }).waitFor()

      cut = false
      await waitForMessage(alice.page, 'kept in the outbox', 20_000)
      await bob.page.locator('.msg.pending').waitFor({ state: 'detached', timeout: 20_000 })
      await waitForMessage(bob.page, 'kept in the outbox')
      expect(await messageTexts(alice.page)).toEqual(['kept in the outbox'])
      expect(await messageTexts(bob.page)).toEqual(['kept in the outbox'])
    },
  )
})
