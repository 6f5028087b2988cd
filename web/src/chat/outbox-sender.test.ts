import { describe, expect, test } from 'vitest'
import type { LinkStatus } from '../chat-link.js'
import { addRoom, initialChatState, type ChatState } from '../state/chat-state.js'
import { reduceFrame } from '../state/frame-reducers.js'
import { ChatStateHolder } from '../state/state-holder.js'
import { OutboxSender, SEND_TIMEOUT_MS } from './outbox-sender.js'

class FakeLink {
  status: LinkStatus = 'online'
  carrier = 1
  sent: string[] = []
  kicks = 0
  retries = 0
  send(_room: string, text: string): boolean {
    if (this.status !== 'online' && this.status !== 'polling') return false
    this.sent.push(text)
    return true
  }
  kick(): void {
    this.kicks++
  }
  retryNow(): void {
    this.retries++
  }
}

class FakeTimers {
  #next = 1
  readonly pending = new Map<number, { at: number; run: () => void }>()
  now = 0
  setTimeout = (run: () => void, ms: number): number => {
    const id = this.#next++
    this.pending.set(id, { at: this.now + ms, run })
    return id
  }
  clearTimeout = (id: number): void => void this.pending.delete(id)
  advance(ms: number): void {
    this.now += ms
    for (const [id, timer] of [...this.pending]) {
      if (timer.at > this.now) continue
      this.pending.delete(id)
      timer.run()
    }
  }
}

function setup() {
  const me = { id: 'u1', username: 'ann' }
  const start = initialChatState(me, { outbox: [], left: [], readMarks: {}, drafts: {} })
  const holder = new ChatStateHolder(addRoom(addRoom(start, 'lobby', 0), 'dev', 0))
  const link = new FakeLink()
  const timers = new FakeTimers()
  const sender = new OutboxSender(holder, link, timers)
  let seq = 0
  const cidOf = (text: string) => holder.state.outbox.find((i) => i.text === text)?.cid ?? ''
  /** The server's answer, through the real reducers, as link-binding.ts applies it. */
  const answer = (text: string, refused = false) => {
    const cid = cidOf(text)
    const room = holder.state.outbox.find((i) => i.cid === cid)?.room ?? 'lobby'
    const frame = refused
      ? { type: 'error' as const, code: 'rate_limited' as const, message: 'slow down', cid, room }
      : { type: 'ack' as const, cid, seq: ++seq, room }
    holder.set(reduceFrame(holder.state, frame, { now: 0, visible: true }).state)
    sender.changed()
  }
  const texts = (state: ChatState) => state.outbox.map((i) => i.text)
  return { holder, link, timers, sender, answer, cidOf, texts }
}

describe('OutboxSender', () => {
  test('sends one message per room at a time, each after the one before is acknowledged', () => {
    const { link, sender, answer } = setup()
    sender.add('lobby', 'one')
    sender.add('lobby', 'two')
    sender.add('dev', 'elsewhere')
    sender.add('lobby', 'three')
    expect(link.sent).toEqual(['one', 'elsewhere'])
    answer('one')
    expect(link.sent).toEqual(['one', 'elsewhere', 'two'])
    answer('two')
    expect(link.sent).toEqual(['one', 'elsewhere', 'two', 'three'])
  })

  test('a refused message holds the ones behind it until it is retried, then they go in order', () => {
    const { link, sender, answer, cidOf, holder, texts } = setup()
    sender.add('lobby', 'one')
    sender.add('lobby', 'two')
    answer('one', true)
    expect(link.sent).toEqual(['one'])
    expect(holder.state.outbox.map((i) => i.failed)).toEqual([true, false])
    sender.retry(cidOf('one'))
    expect(link.sent).toEqual(['one', 'one'])
    answer('one')
    expect(link.sent).toEqual(['one', 'one', 'two'])
    answer('two')
    expect(texts(holder.state)).toEqual([])
  })

  test('discarding the refused message lets the ones it held go', () => {
    const { link, sender, answer, cidOf } = setup()
    sender.add('lobby', 'one')
    sender.add('lobby', 'two')
    answer('one', true)
    sender.discard(cidOf('one'))
    expect(link.sent).toEqual(['one', 'two'])
  })

  test('unsent within the timeout: stalled ("Not sent"), then sent in order once the room is ready', () => {
    const { link, sender, timers, holder, cidOf } = setup()
    link.status = 'reconnecting'
    sender.add('lobby', 'one')
    sender.add('lobby', 'two')
    expect(holder.state.stalled).toEqual({})
    timers.advance(SEND_TIMEOUT_MS)
    expect(holder.state.stalled).toEqual({ [cidOf('one')]: true, [cidOf('two')]: true })
    link.status = 'online'
    link.carrier = 2
    sender.ready('lobby')
    expect(link.sent).toEqual(['one'])
    expect(holder.state.stalled).toEqual({ [cidOf('two')]: true })
  })

  test('sent on a socket that never answers: stalled, and the socket is replaced', () => {
    const { link, sender, timers, holder, cidOf } = setup()
    sender.add('lobby', 'one')
    timers.advance(SEND_TIMEOUT_MS)
    expect(holder.state.stalled).toEqual({ [cidOf('one')]: true })
    expect(link.kicks).toBe(1)
  })

  test('in flight on a carrier that is gone: sent again when the room is ready; on the same one, not', () => {
    const { link, sender } = setup()
    sender.add('lobby', 'one')
    sender.ready('lobby')
    expect(link.sent).toEqual(['one'])
    link.carrier = 2
    sender.ready('lobby')
    expect(link.sent).toEqual(['one', 'one'])
  })

  test('Retry on a stalled message while reconnecting asks the link to retry now', () => {
    const { link, sender, timers, cidOf, holder } = setup()
    link.status = 'reconnecting'
    sender.add('lobby', 'one')
    timers.advance(SEND_TIMEOUT_MS)
    sender.retry(cidOf('one'))
    expect(link.retries).toBe(1)
    expect(holder.state.stalled).toEqual({})
    // Its deadline starts again: still no link, so it is "Not sent" once more.
    timers.advance(SEND_TIMEOUT_MS)
    expect(holder.state.stalled).toEqual({ [cidOf('one')]: true })
  })

  test('messages restored after a reload get a deadline too', () => {
    const { link, sender, timers, holder } = setup()
    link.status = 'reconnecting'
    holder.set({
      ...holder.state,
      outbox: [{ cid: 'old', room: 'lobby', text: 'from before', createdAt: 0, failed: false }],
    })
    sender.start()
    timers.advance(SEND_TIMEOUT_MS)
    expect(holder.state.stalled).toEqual({ old: true })
    sender.stop()
    expect(timers.pending.size).toBe(0)
  })
})
