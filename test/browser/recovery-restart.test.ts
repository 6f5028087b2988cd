/** The web client through a server restart and time offline: nothing lost, nothing doubled. */
import { describe, expect, test } from 'vitest'
import { RECONNECT_BACKOFF } from '../../web/src/backoff.js'
import { freePort, freshDataDir, spawnServer } from '../support/start-server.js'
import { messageTexts, send, twoUsersIn, waitForMessage } from './support.js'

describe('web client: recovery from a restart', () => {
  test(
    'after a server restart and time offline, both pages show every message once, in order',
    { timeout: 120_000 },
    async () => {
      const port = await freePort()
      const env = { PORT: String(port), DATA_DIR: freshDataDir() }
      let server = await spawnServer(env)
      const [alice, bob] = await twoUsersIn(server.url, 'ops', { clocks: true })

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
      const reconnecting = alice.page.locator('.banner-reconnecting').waitFor()
      await server.stop('SIGTERM')
      await reconnecting
      await send(alice.page, 'five (server down)')
      await alice.page.locator('.msg.pending', { hasText: 'five (server down)' }).waitFor()
      server = await spawnServer(env)
      await bob.context.setOffline(false)
      // The server is back: the next try comes at once instead of after the backoff (at most maxMs).
      await alice.page.clock.fastForward(RECONNECT_BACKOFF.maxMs)

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
      await alice.page.locator('.banner-reconnecting').waitFor({ state: 'detached' })
    },
  )
})
