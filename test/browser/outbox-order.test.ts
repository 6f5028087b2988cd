/**
 * Messages land in the order they were written, in Chromium against a real server: a refused
 * message holds the ones written after it (they are not sent), and its Retry sends it and then
 * them, in order. The refusal is injected into the page's socket, so it is the same every run.
 */
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

interface SendFrame {
  readonly type: string
  readonly text?: string
  readonly cid?: string
  readonly room?: string
}

describe('outbox order', () => {
  test(
    'a refused message holds the later ones; Retry sends it, then them, in the order written',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const ann = await browser()
      // Every send that reaches the server, in order; the first "two" is answered with a refusal.
      const forwarded: string[] = []
      let refuse = true
      await ann.page.routeWebSocket(/\/chat$/, (ws) => {
        const upstream = ws.connectToServer()
        ws.onMessage((data) => {
          const frame = JSON.parse(String(data)) as SendFrame
          if (frame.type === 'send' && frame.text === 'two' && refuse) {
            refuse = false
            const { cid, room } = frame
            const message = 'Slow down a little.'
            ws.send(JSON.stringify({ type: 'error', code: 'rate_limited', message, cid, room }))
            return
          }
          if (frame.type === 'send' && frame.text) forwarded.push(frame.text)
          upstream.send(data)
        })
      })
      const bob = await browser()
      await Promise.all([
        signedInAs(ann, server.url, uniqueName('ann')),
        signedInAs(bob, server.url, uniqueName('bob')),
      ])
      await enterRoom(ann, 'order')
      await enterRoom(bob, 'order')
      const { page } = ann

      await send(page, 'one')
      await waitForMessage(page, 'one')
      await send(page, 'two')
      const two = page.locator('li.msg.failed', { hasText: 'two' })
      await two.getByText('Not sent: Slow down a little.').waitFor()
      await send(page, 'three')
      const three = page.locator('li.msg', { hasText: 'three' })
      await three.getByText('Waiting: the message above was not sent').waitFor()
      // Held, not sent: only "one" has reached the server.
      expect(forwarded).toEqual(['one'])
      expect(await three.getByRole('button', { name: 'Retry' }).count()).toBe(0)

      await two.getByRole('button', { name: 'Retry' }).click()
      for (const b of [ann, bob]) await waitForMessage(b.page, 'three')
      expect(forwarded).toEqual(['one', 'two', 'three'])
      expect(await messageTexts(page)).toEqual(['one', 'two', 'three'])
      expect(await messageTexts(bob.page)).toEqual(['one', 'two', 'three'])
    },
  )

  test('discarding a refused message lets the ones it held go', { timeout: 90_000 }, async () => {
    const server = await startServer()
    const ann = await browser()
    await ann.page.routeWebSocket(/\/chat$/, (ws) => {
      const upstream = ws.connectToServer()
      ws.onMessage((data) => {
        const frame = JSON.parse(String(data)) as SendFrame
        if (frame.type === 'send' && frame.text === 'refused') {
          const { cid, room } = frame
          const message = 'Not allowed.'
          ws.send(JSON.stringify({ type: 'error', code: 'forbidden', message, cid, room }))
          return
        }
        upstream.send(data)
      })
    })
    await signedInAs(ann, server.url, uniqueName('ann'))
    const { page } = ann
    await send(page, 'refused')
    const refused = page.locator('li.msg.failed', { hasText: 'refused' })
    await refused.getByText('Not sent: Not allowed.').waitFor()
    await send(page, 'after it')
    await page.getByText('Waiting: the message above was not sent').waitFor()
    await refused.getByRole('button', { name: 'Discard' }).click()
    await waitForMessage(page, 'after it')
    expect(await messageTexts(page)).toEqual(['after it'])
  })
})
