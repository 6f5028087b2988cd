// RoomFeed on the memory store: strict seq order, gap fill with retries, the catch-up/live seam,
// the recent-message cache, congested catch-up, resync after a bus outage, and event fan-out.
import { describe, expect, it } from 'vitest'
import { controlReads } from '../../test/support/controlled-store.js'
import { FakeSubscriber } from '../../test/support/fake-subscriber.js'
import type { MessageFrame } from '../protocol/frames.js'
import { createMemoryStore } from '../store/memory-store.js'
import { ChatError } from './errors.js'
import { RoomFeed } from './room-feed.js'

const ROOM = 'r'
/** Mirrors room-feed.ts: how many recent broadcasts a feed keeps in memory. */
const RECENT_MESSAGES = 512

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

async function setup() {
  const memory = createMemoryStore()
  await memory.createRoom({
    name: ROOM,
    createdAt: 0,
    createdBy: null,
    kind: 'public',
    topic: null,
    members: [],
  })
  const control = controlReads(memory)
  const errors: unknown[] = []
  const sleeps: number[] = []
  // Yields a macrotask instead of waiting in real time, so a retry loop cannot starve the test.
  const sleep = (ms: number) => {
    sleeps.push(ms)
    return new Promise<void>((resolve) => setImmediate(resolve))
  }
  const feed = new RoomFeed(ROOM, control.store, (error) => errors.push(error), undefined, sleep)
  await feed.ready
  let n = 0
  /** Stores messages as chat-service does, without publishing them. */
  const store = async (count: number): Promise<MessageFrame[]> => {
    const stored: MessageFrame[] = []
    for (let i = 0; i < count; i++) {
      n += 1
      const input = { id: `m${n}`, room: ROOM, userId: 'u1', username: 'ann', cid: `c${n}` }
      const { message } = await memory.append({ ...input, text: `hello ${n}`, ts: n })
      stored.push(message)
    }
    return stored
  }
  /** Stores messages and hands each to the feed, as the bus does. */
  const publish = async (count: number): Promise<MessageFrame[]> => {
    const stored = await store(count)
    for (const message of stored) feed.accept(message)
    return stored
  }
  return { feed, control, errors, sleeps, store, publish }
}

describe('RoomFeed ordering', () => {
  it('delivers out-of-order arrivals in seq order', async () => {
    const { feed, store } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    const [m1, m2, m3] = await store(3)
    feed.accept(m3!)
    feed.accept(m1!)
    feed.accept(m2!)
    expect(sub.seqs).toEqual([1, 2, 3])
    expect(feed.lastSeq).toBe(3)
  })

  it('drops repeats, before and after delivery', async () => {
    const { feed, store } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    const [m1, m2, m3] = await store(3)
    for (const message of [m1, m2, m1, m3, m3, m2, m1]) feed.accept(message!)
    expect(sub.seqs).toEqual([1, 2, 3])
  })

  it('fills a gap from the store', async () => {
    const { feed, store, sleeps } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    const [m1, m2, m3] = await store(3)
    feed.accept(m1!)
    feed.accept(m3!)
    await sub.seen(3)
    expect(sub.seqs).toEqual([1, 2, 3])
    expect(sub.messages[1]).toEqual(m2)
    expect(sleeps).toEqual([])
  })

  it('retries a failing gap fill with backoff, losing and repeating nothing', async () => {
    const { feed, control, store, errors, sleeps } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    control.failures = 3
    const stored = await store(5)
    feed.accept(stored[0]!)
    feed.accept(stored[2]!)
    // More of the stream (and a repeat) arrive from the bus while the store is down.
    feed.accept(stored[4]!)
    feed.accept(stored[3]!)
    feed.accept(stored[2]!)
    await sub.seen(5)
    const [m6] = await store(1)
    feed.accept(m6!)
    expect(sub.seqs).toEqual(range(1, 6))
    expect(errors).toHaveLength(3)
    expect(sleeps).toEqual([50, 100, 200])
  })

  it('waits for a seq whose predecessor is not readable yet, then fills it', async () => {
    const { feed, control, store, sleeps } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    let lagging = 2 // a replica that has not caught up: the first reads see nothing
    control.transform = (page) => (lagging-- > 0 ? [] : page)
    const [, , m3] = await store(3)
    feed.accept(m3!)
    await sub.seen(3)
    expect(sub.seqs).toEqual([1, 2, 3])
    expect(sleeps).toEqual([50, 100])
  })

  it('never hands a subscriber attached before loading a seq past a gap', async () => {
    const { control, store } = await setup()
    await store(3)
    const feed = new RoomFeed(ROOM, control.store, () => {})
    const sub = new FakeSubscriber('s1')
    const attached = feed.attach(sub, 0)
    await feed.ready
    await attached
    const [m4] = await store(1)
    feed.accept(m4!)
    expect(feed.lastSeq).toBe(4)
    // Whatever it is handed must start at seq 1 and have no hole.
    expect(sub.seqs).toEqual(range(1, sub.seqs.length))
  })
})

describe('RoomFeed catch-up', () => {
  it('clients resuming from the same seq at once share one Store read (a reconnect storm)', async () => {
    const { control, store } = await setup()
    await store(5)
    // A feed started after the messages were stored remembers none of them (as after a restart).
    const fresh = new RoomFeed(ROOM, control.store, () => undefined)
    await fresh.ready
    control.reads.length = 0
    const subs = ['a', 'b', 'c'].map((name) => new FakeSubscriber(name))
    await Promise.all(subs.map((sub) => fresh.attach(sub, 0)))
    expect(control.reads).toEqual([{ afterSeq: 0, limit: 5 }])
    for (const sub of subs) expect(sub.seqs).toEqual([1, 2, 3, 4, 5])
    // The page reached the room's end, so it is remembered: the next clients cost no read.
    const late = new FakeSubscriber('d')
    await fresh.attach(late, 2)
    expect(late.seqs).toEqual([3, 4, 5])
    expect(control.reads).toHaveLength(1)
  })

  it('a page read from the Store is not remembered when the room moved on during the read', async () => {
    const { control, store } = await setup()
    await store(3)
    const fresh = new RoomFeed(ROOM, control.store, () => undefined)
    await fresh.ready
    control.reads.length = 0
    const [m4] = await store(1)
    control.before = () => {
      control.before = () => Promise.resolve()
      fresh.accept(m4!)
      return Promise.resolve()
    }
    const sub = new FakeSubscriber('a')
    await fresh.attach(sub, 0)
    expect(sub.seqs).toEqual([1, 2, 3, 4])
    const next = new FakeSubscriber('b')
    await fresh.attach(next, 0)
    expect(next.seqs).toEqual([1, 2, 3, 4])
    expect(control.reads.map((r) => r.afterSeq)).toEqual([0, 0])
  })

  it('switches every subscriber to live at the seam: each sees one contiguous run, once', async () => {
    const { feed, control, publish } = await setup()
    await publish(700)
    // Every store read waits for the next live message, so live ones arrive mid catch-up.
    const waiting: Array<() => void> = []
    control.before = () => new Promise<void>((resolve) => waiting.push(resolve))
    const from = { deep: 0, store: 150, cache: 600, congested: 400, live: 700 }
    const subs = Object.fromEntries(
      Object.keys(from).map((name) => [
        name,
        new FakeSubscriber(name, name, {
          autoDrain: true,
          congestWhen: (seq) => name === 'congested' && seq % 50 === 0,
        }),
      ]),
    )
    const liveAt: Record<string, number> = {}
    const attached = Object.entries(from).map(async ([name, fromSeq]) => {
      await feed.attach(subs[name]!, fromSeq)
      liveAt[name] = feed.lastSeq
    })
    for (let i = 0; i < 60; i++) {
      await publish(1)
      for (const resolve of waiting.splice(0)) resolve()
      await new Promise((resolve) => setImmediate(resolve))
    }
    control.before = () => Promise.resolve()
    for (const resolve of waiting.splice(0)) resolve()
    await Promise.all(attached)
    for (const [name, fromSeq] of Object.entries(from)) {
      expect(subs[name]!.seqs, name).toEqual(range(fromSeq + 1, 760))
    }
    // The seam was really crossed while live messages flowed.
    expect(liveAt['deep']).toBeGreaterThan(700)
    expect(liveAt['store']).toBeGreaterThan(700)
    expect(subs['congested']!.drainWaits).toBeGreaterThan(5)
  })

  it('replays the last 512 from memory, shared with live subscribers, and older ones from the store', async () => {
    const { feed, control, publish } = await setup()
    const live = new FakeSubscriber('live')
    await feed.attach(live, 0)
    await publish(600)
    const fromCache = new FakeSubscriber('cache')
    await feed.attach(fromCache, 600 - RECENT_MESSAGES)
    expect(control.reads).toEqual([])
    expect(fromCache.seqs).toEqual(range(600 - RECENT_MESSAGES + 1, 600))
    // Same Broadcast objects: encoded once for everyone.
    expect(fromCache.broadcasts[0]).toBe(live.broadcasts[600 - RECENT_MESSAGES])
    const fromStore = new FakeSubscriber('store')
    await feed.attach(fromStore, 600 - RECENT_MESSAGES - 1)
    expect(control.reads).toEqual([{ afterSeq: 600 - RECENT_MESSAGES - 1, limit: 500 }])
    expect(fromStore.seqs).toEqual(range(600 - RECENT_MESSAGES, 600))
  })

  it.each([
    ['memory', 10, 3],
    ['the store', 600, 60],
  ])('from %s waits for a congested subscriber to drain', async (_, total, congestAt) => {
    const { feed, publish } = await setup()
    await publish(total)
    const sub = new FakeSubscriber('s1', 's1', { congestWhen: (seq) => seq === congestAt })
    const attached = feed.attach(sub, 0)
    await sub.until(() => sub.waitingForDrain)
    await publish(1)
    expect(sub.seqs).toEqual(range(1, congestAt))
    sub.drain()
    await attached
    expect(sub.seqs).toEqual(range(1, total + 1))
  })

  it.each([
    ['memory', 10, 3],
    ['the store', 600, 60],
  ])('from %s stops for a subscriber detached while congested', async (_, total, congestAt) => {
    const { feed, publish } = await setup()
    await publish(total)
    const sub = new FakeSubscriber('s1', 's1', { congestWhen: (seq) => seq === congestAt })
    const attached = feed.attach(sub, 0)
    await sub.until(() => sub.waitingForDrain)
    feed.detach(sub)
    await publish(1)
    sub.drain()
    await attached
    expect(sub.seqs).toEqual(range(1, congestAt))
    expect(feed.has(sub)).toBe(false)
  })

  it('fails a subscriber the store cannot catch up, and sends it nothing more', async () => {
    const { feed, control, publish } = await setup()
    await publish(600)
    control.failures = Infinity
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    control.failures = 0
    await publish(1)
    expect(sub.failures).toEqual([{ room: ROOM, error: new ChatError('store_unavailable') }])
    expect(sub.seqs).toEqual([])
    expect(feed.has(sub)).toBe(false)
  })

  it('fails a subscriber rather than skip a hole in the stored history', async () => {
    const { feed, control, publish } = await setup()
    await publish(600)
    control.transform = (page) => page.slice(1)
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    expect(sub.seqs).toEqual([])
    expect(sub.failures).toHaveLength(1)
    expect(String(sub.failures[0]!.error)).toContain('history gap after seq 0')
    expect(feed.has(sub)).toBe(false)
  })
})

describe('RoomFeed after a bus outage', () => {
  it('resyncs messages stored but never published, across several pages', async () => {
    const { feed, publish, store } = await setup()
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 0)
    await publish(3)
    await store(1100)
    feed.resync()
    await sub.seen(1103)
    const [next] = await publish(1)
    expect(next!.seq).toBe(1104)
    expect(sub.seqs).toEqual(range(1, 1104))
  })
})

describe('RoomFeed events', () => {
  it('fans presence and typing out to every subscriber as one shared broadcast', async () => {
    const { feed } = await setup()
    const [a, b, gone] = [new FakeSubscriber('a'), new FakeSubscriber('b'), new FakeSubscriber('c')]
    for (const sub of [a, b, gone]) await feed.attach(sub, 0)
    feed.detach(gone)
    feed.event({ type: 'presence', room: ROOM, user: 'ann', event: 'join' })
    feed.event({ type: 'typing', room: ROOM, user: 'ann' })
    expect(a.events.map((event) => event.payload.type)).toEqual(['presence', 'typing'])
    expect(b.events[0]).toBe(a.events[0])
    expect(gone.events).toEqual([])
  })

  it('remembers a preview on a cached message, so a later catch-up carries it', async () => {
    const { feed, publish } = await setup()
    await publish(3)
    const preview = { url: 'https://example.com/', title: 'Example', description: 'd', image: null }
    const sub = new FakeSubscriber('s1')
    await feed.attach(sub, 3)
    feed.event({ type: 'preview', room: ROOM, seq: 2, ...preview })
    feed.event({ type: 'preview', room: ROOM, seq: 99, ...preview })
    expect(sub.events).toHaveLength(2)
    const later = new FakeSubscriber('s2')
    await feed.attach(later, 0)
    expect(later.messages.map((message) => message.previews)).toEqual([
      undefined,
      [preview],
      undefined,
    ])
  })
})

describe('RoomFeed re-attach', () => {
  it('a subscriber attached again during a store catch-up gets one stream: the newer one', async () => {
    const { feed, control, store } = await setup()
    // Far enough behind that the first catch-up reads from the store, not the memory cache.
    const stored = await store(RECENT_MESSAGES + 88)
    for (const message of stored) feed.accept(message)
    const last = stored.length
    const sub = new FakeSubscriber('s1')
    const held: Array<() => void> = []
    control.before = () => new Promise<void>((resolve) => held.push(resolve))
    const first = feed.attach(sub, 0)
    await until(() => held.length === 1)
    control.before = () => Promise.resolve()
    // A second join resumes from its own `since`: live from the end.
    await feed.attach(sub, last)
    const [live] = await store(1)
    feed.accept(live!)
    held.shift()!()
    await first
    expect(sub.seqs).toEqual([last + 1])
  })
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve))
}
