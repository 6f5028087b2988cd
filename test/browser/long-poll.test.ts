/** The web client falls back to long-polling when its WebSocket keeps failing, and comes back. */
import { describe, expect, test } from 'vitest'
import { RECONNECT_BACKOFF } from '../../web/src/backoff.js'
import { PRESENCE_POLL_MS } from '../../web/src/chat/presence-poller.js'
import { ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import {
  messageTexts,
  myName,
  send,
  skippingBackoff,
  twoUsersIn,
  waitForMessage,
  type Browser,
} from './support.js'

describe('web client: long-poll fallback', () => {
  test(
    'when the WebSocket keeps failing, long-polling carries the chat until it recovers',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'fallback', { clocks: true })
      await send(alice.page, 'before')
      await waitForMessage(bob.page, 'before')

      // Every new socket of bob's is refused; a network blip makes him reconnect into that.
      let refuse = true
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        if (refuse) void ws.close({ code: 1011, reason: 'test refuses' })
        else ws.connectToServer()
      })
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await skippingBackoff(bob.page, bob.page.getByText('Live connection unavailable'))

      await send(alice.page, 'polled to bob')
      await waitForMessage(bob.page, 'polled to bob')
      await send(bob.page, 'posted by bob')
      await waitForMessage(alice.page, 'posted by bob')

      // The socket comes back: bob switches to it without losing or doubling anything.
      refuse = false
      // The next socket try comes at once instead of after the backoff (at most maxMs).
      await bob.page.clock.fastForward(RECONNECT_BACKOFF.maxMs)
      await bob.page
        .getByText('Live connection unavailable')
        .waitFor({ state: 'detached', timeout: 20_000 })
      await send(alice.page, 'live again')
      await waitForMessage(bob.page, 'live again')
      const expected = ['before', 'polled to bob', 'posted by bob', 'live again']
      expect(await messageTexts(bob.page)).toEqual(expected)
      expect(await messageTexts(alice.page)).toEqual(expected)
    },
  )

  test(
    'in long-poll mode the online list still follows who comes and goes',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'roll-call', { clocks: true })
      const [aliceName, bobName] = [await myName(alice), await myName(bob)]
      const onlineIn = (b: Browser, user: string) =>
        b.page.locator('.online-list li', { hasText: user })

      // Bob's sockets are refused: he falls back to long-polling.
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        void ws.close({ code: 1011, reason: 'test refuses' })
      })
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await skippingBackoff(bob.page, bob.page.getByText('Live connection unavailable'))
      await bob.page.getByText('typing indicators are paused').waitFor()

      // Carol arrives over a socket: bob, who gets no presence frames now, sees her all the same.
      const carol = await registerUser(server.url)
      const carolSocket = await ChatClient.connect(server.wsUrl, carol.token)
      await carolSocket.join('roll-call')
      // Bob's next roll call, without waiting it out.
      await bob.page.clock.fastForward(PRESENCE_POLL_MS)
      await onlineIn(bob, carol.username).waitFor()
      for (const user of [aliceName, bobName]) await onlineIn(bob, user).waitFor()
      // The poller counts as online for the others too.
      for (const user of [bobName, carol.username]) await onlineIn(alice, user).waitFor()

      carolSocket.send({ type: 'leave', room: 'roll-call' })
      await bob.page.clock.fastForward(PRESENCE_POLL_MS)
      await onlineIn(bob, carol.username).waitFor({ state: 'detached' })
      expect(await bob.page.locator('.online-list li').allInnerTexts()).toEqual(
        [aliceName, bobName].sort(),
      )
      carolSocket.close()
    },
  )
})
