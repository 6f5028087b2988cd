import { describe, expect, test } from 'vitest'
import type { ChatMessage } from '../../src/protocol/index.js'
import { GROUP_WINDOW_MS, mergeMessages, startsGroup } from '../../web/src/timeline.js'
import { backoffDelayMs } from '../../web/src/backoff.js'
import { describeTyping } from '../../web/src/typing.js'

const message = (seq: number, user = 'alice', ts = seq * 1000): ChatMessage => ({
  room: 'lobby',
  seq,
  id: `m${seq}`,
  user,
  text: `text ${seq}`,
  ts,
  cid: `c${seq}`,
})

describe('mergeMessages', () => {
  test('orders by seq and drops duplicates from replays and overlapping pages', () => {
    const merged = mergeMessages([message(3), message(5)], [message(4), message(5), message(1)])
    expect(merged.map((m) => m.seq)).toEqual([1, 3, 4, 5])
  })

  test('returns the same array when nothing is new (no re-render)', () => {
    const list = [message(1), message(2)]
    expect(mergeMessages(list, [message(2)])).toBe(list)
  })

  test('a copy with previews replaces one without', () => {
    const withPreview = {
      ...message(1),
      previews: [{ url: 'https://a.io', title: 'A', description: null, image: null }],
    }
    expect(mergeMessages([message(1)], [withPreview])[0]?.previews).toHaveLength(1)
  })
})

describe('grouping', () => {
  test('a new author or a long pause starts a group', () => {
    expect(startsGroup(undefined, message(1))).toBe(true)
    expect(startsGroup(message(1), message(2))).toBe(false)
    expect(startsGroup(message(1), message(2, 'bob'))).toBe(true)
    expect(startsGroup(message(1), message(2, 'alice', 1000 + GROUP_WINDOW_MS + 1))).toBe(true)
  })
})

describe('backoff', () => {
  test('grows exponentially, is capped, and is jittered', () => {
    const options = { baseMs: 100, maxMs: 1000 }
    expect(backoffDelayMs(0, options, () => 0)).toBe(50)
    expect(backoffDelayMs(3, options, () => 1)).toBe(800)
    expect(backoffDelayMs(30, options, () => 1)).toBe(1000)
    expect(backoffDelayMs(3, options, () => 0.5)).toBeLessThan(800)
  })
})

describe('typing line', () => {
  test('names one or two people, then summarises', () => {
    expect(describeTyping([])).toBe('')
    expect(describeTyping(['alice'])).toBe('alice is typing…')
    expect(describeTyping(['alice', 'bob'])).toBe('alice and bob are typing…')
    expect(describeTyping(['a', 'b', 'c'])).toBe('Several people are typing…')
  })
})
