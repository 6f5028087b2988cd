/** The web client's outbox through a reload while cut off: the message is kept and delivered once. */
import { describe, expect, test } from 'vitest'
import { RECONNECT_BACKOFF } from '../../web/src/backoff.js'
import { startServer } from '../support/start-server.js'
import { messageTexts, send, twoUsersIn, waitForMessage } from './support.js'

describe('web client: recovery after a reload', () => {
  test(
    'a message written while cut off survives a reload and is delivered once',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'outbox', { clocks: true })

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
      // The next try comes at once instead of after the backoff (at most maxMs).
      await bob.page.clock.fastForward(RECONNECT_BACKOFF.maxMs)
      await waitForMessage(alice.page, 'kept in the outbox', 20_000)
      await bob.page.locator('.msg.pending').waitFor({ state: 'detached', timeout: 20_000 })
      await waitForMessage(bob.page, 'kept in the outbox')
      expect(await messageTexts(alice.page)).toEqual(['kept in the outbox'])
      expect(await messageTexts(bob.page)).toEqual(['kept in the outbox'])
    },
  )
})
