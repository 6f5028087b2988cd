// ChatService on the in-memory adapters with a hand-driven clock: send checks, cid dedupe,
// publish after commit, rate limits, typing throttle, presence counting, heartbeat, join with since.
import { describe, expect, it } from 'vitest'
import { FakeSubscriber } from '../../test/support/fake-subscriber.js'
import { createMemoryBus } from '../bus/memory-bus.js'
import { createMemoryPresence } from '../presence/memory-presence.js'
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js'
import type { ChatMessage } from '../protocol/frames.js'
import { createMemoryStore } from '../store/memory-store.js'
import { ChatService, type ChatLimits } from './chat-service.js'
import { noServerAdmins } from './admins.js'
import { ChatError } from './errors.js'
import { Membership } from './membership.js'
import type { AppendResult, BusEvent, RateLimiter, Store } from './ports.js'

const ROOM = 'lobby'
const ann = { id: 'u-ann', username: 'ann' }
const bob = { id: 'u-bob', username: 'bob' }
const limits: ChatLimits = {
  maxTextChars: 10,
  send: { capacity: 2, refillPerSecond: 1 },
  typingIntervalMs: 3_000,
  presenceTtlMs: 30_000,
}

interface Options {
  readonly store?: (inner: Store) => Store
  readonly limiter?: RateLimiter
  readonly limits?: Partial<ChatLimits>
}

async function setup(options: Options = {}) {
  const clock = { t: 1_000_000, now: () => clock.t }
  const memory = createMemoryStore()
  await memory.migrate()
  // The tests' users are lobby members already, so joining stores no membership event.
  await memory.addMembers(
    ROOM,
    ['ann', 'bob', 'carol'].map((name) => ({ userId: `u-${name}`, role: 'member' as const })),
  )
  const store = options.store?.(memory) ?? memory
  const bus = createMemoryBus({
    onHandlerError: (error) => {
      throw error
    },
  })
  const published: BusEvent[] = []
  bus.onEvent((event) => published.push(event))
  const warnings: string[] = []
  const log = { info: () => {}, warn: (_: object, message: string) => warnings.push(message) }
  const service = new ChatService({
    store,
    bus,
    presence: createMemoryPresence(clock),
    limiter: options.limiter ?? createMemoryRateLimiter(clock),
    clock,
    log: { ...log, error: log.warn },
    limits: { ...limits, ...options.limits },
    membership: new Membership({ store, bus, clock, admins: noServerAdmins }),
  })
  const presenceEvents = () =>
    published.flatMap((event) =>
      event.type === 'presence' ? [`${event.user} ${event.event}`] : [],
    )
  const messageSeqs = () =>
    published.flatMap((event) =>
      event.type === 'log' && event.event.type === 'message' ? [event.event.seq] : [],
    )
  return { clock, memory, service, published, warnings, presenceEvents, messageSeqs }
}

/** Joins and resolves once the subscriber is live, with what `sendJoined` was told. */
async function join(
  service: ChatService,
  subscriber: FakeSubscriber,
  since?: number,
): Promise<{ lastSeq: number; online: string[] }> {
  let joined = { lastSeq: -1, online: [] as string[] }
  await service.subscribe(subscriber, ROOM, {
    kind: 'socket',
    since,
    onJoined: (lastSeq, online) => {
      joined = { lastSeq, online }
    },
  })
  return joined
}

describe('ChatService.send', () => {
  it.each([
    ['empty', ''],
    ['blank', ' \n\t '],
    ['over-long', 'x'.repeat(limits.maxTextChars + 1)],
    ['over-long in code points', '😀'.repeat(limits.maxTextChars + 1)],
  ])('rejects %s text with invalid_text and stores nothing', async (_, text) => {
    const { service, memory, published } = await setup()
    const sent = service.send(ann, ROOM, text, 'c1')
    await expect(sent).rejects.toBeInstanceOf(ChatError)
    await expect(sent).rejects.toMatchObject({ code: 'invalid_text' })
    expect(await memory.lastSeq(ROOM)).toBe(0)
    expect(published).toEqual([])
  })

  it('accepts text of exactly the limit, counted in code points', async () => {
    const { service } = await setup()
    const message = await service.send(ann, ROOM, '😀'.repeat(limits.maxTextChars), 'c1')
    expect(message.seq).toBe(1)
  })

  it('stores a repeated cid once and answers with the same seq', async () => {
    const { service, memory, messageSeqs } = await setup()
    const stored: ChatMessage[] = []
    service.onStored((message) => stored.push(message))
    const first = await service.send(ann, ROOM, 'hello', 'c1')
    const again = await service.send(ann, ROOM, 'hello', 'c1')
    const other = await service.send(bob, ROOM, 'hello', 'c1')
    expect(again).toEqual(first)
    expect([first.seq, other.seq]).toEqual([1, 2])
    expect(await memory.lastSeq(ROOM)).toBe(2)
    expect(stored.map((message) => message.seq)).toEqual([1, 2])
    // The repeat is published again on purpose (it repairs a publish lost to a crash); feeds drop it.
    expect(messageSeqs()).toEqual([1, 1, 2])
  })

  it('publishes only after the store has committed', async () => {
    let commit = (): void => {}
    let appending = (): void => {}
    const appendCalled = new Promise<void>((resolve) => (appending = resolve))
    const { service, published, messageSeqs } = await setup({
      store: (inner) => ({
        ...inner,
        append: async (input): Promise<AppendResult> => {
          appending()
          await new Promise<void>((resolve) => (commit = resolve))
          return inner.append(input)
        },
      }),
    })
    const sent = service.send(ann, ROOM, 'hello', 'c1')
    await appendCalled
    await new Promise((resolve) => setImmediate(resolve))
    expect(published).toEqual([])
    commit()
    const message = await sent
    expect(messageSeqs()).toEqual([message.seq])
  })

  it('publishes nothing when the store rejects', async () => {
    const { service, published } = await setup({
      store: (inner) => ({
        ...inner,
        append: () => Promise.reject(new ChatError('store_unavailable')),
      }),
    })
    await expect(service.send(ann, ROOM, 'hello', 'c1')).rejects.toMatchObject({
      code: 'store_unavailable',
    })
    expect(published).toEqual([])
  })

  it('rate-limits each sender with retryAfterMs, then refills with the clock', async () => {
    const { service, clock, memory } = await setup()
    await service.send(ann, ROOM, 'one', 'c1')
    await service.send(ann, ROOM, 'two', 'c2')
    const limited = service.send(ann, ROOM, 'three', 'c3')
    await expect(limited).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 1_000 })
    await service.send(bob, ROOM, 'other user', 'c1')
    expect(await memory.lastSeq(ROOM)).toBe(3)
    clock.t += 1_000
    expect((await service.send(ann, ROOM, 'three', 'c3')).seq).toBe(4)
  })

  it('fails open when the rate limiter is unavailable', async () => {
    const limiter = { take: () => Promise.reject(new Error('limiter down')) }
    const { service, warnings } = await setup({ limiter })
    for (const cid of ['c1', 'c2', 'c3']) await service.send(ann, ROOM, 'hi', cid)
    expect(warnings).toEqual(Array(3).fill('rate limiter unavailable; allowing the send'))
  })
})

describe('ChatService.typing', () => {
  it('publishes at most once per interval per user and room', async () => {
    const { service, clock, published, memory } = await setup()
    await memory.createRoom({
      name: 'elsewhere',
      createdAt: 0,
      createdBy: null,
      kind: 'public',
      topic: null,
      members: [{ userId: 'u-ann', role: 'member' }],
    })
    const annTab = new FakeSubscriber('c1', 'ann')
    const bobTab = new FakeSubscriber('c2', 'bob')
    await join(service, annTab)
    await join(service, bobTab)
    await service.subscribe(annTab, 'elsewhere', { kind: 'socket' })
    await service.typing(annTab, ROOM)
    await service.typing(annTab, ROOM)
    await service.typing(bobTab, ROOM)
    await service.typing(annTab, 'elsewhere')
    clock.t += limits.typingIntervalMs - 1
    await service.typing(annTab, ROOM)
    clock.t += 1
    await service.typing(annTab, ROOM)
    const typing = published.flatMap((event) =>
      event.type === 'typing' ? [`${event.user}@${event.room}`] : [],
    )
    expect(typing).toEqual(['ann@lobby', 'bob@lobby', 'ann@elsewhere', 'ann@lobby'])
  })
})

describe('ChatService presence', () => {
  it('announces a user joining once for two tabs, and leaving after the last', async () => {
    const { service, presenceEvents } = await setup()
    const [tab1, tab2] = [new FakeSubscriber('c1', 'ann'), new FakeSubscriber('c2', 'ann')]
    expect((await join(service, tab1)).online).toEqual(['ann'])
    expect((await join(service, tab2)).online).toEqual(['ann'])
    expect(presenceEvents()).toEqual(['ann join'])
    await service.unsubscribe(tab1, ROOM)
    expect(presenceEvents()).toEqual(['ann join'])
    expect(await service.online(ann, ROOM)).toEqual(['ann'])
    await service.unsubscribe(tab2, ROOM)
    expect(presenceEvents()).toEqual(['ann join', 'ann leave'])
    expect(await service.online(ann, ROOM)).toEqual([])
  })

  it('heartbeat keeps joined users and announces those whose entries expired', async () => {
    const { service, clock, presenceEvents } = await setup()
    await join(service, new FakeSubscriber('c1', 'ann'))
    await service.subscribe(new FakeSubscriber('p1', 'bob'), ROOM, { kind: 'poll' })
    clock.t += limits.presenceTtlMs
    await service.heartbeat()
    expect(presenceEvents()).toEqual(['ann join', 'bob join', 'bob leave'])
    expect(await service.online(ann, ROOM)).toEqual(['ann'])
    clock.t += limits.presenceTtlMs - 1
    await service.heartbeat()
    expect(await service.online(ann, ROOM)).toEqual(['ann'])
  })
})

describe('ChatService.join', () => {
  it('replays what was stored after `since`, then goes live', async () => {
    const { service } = await setup({ limits: { send: undefined } })
    for (const cid of ['c1', 'c2', 'c3']) await service.send(bob, ROOM, 'hi', cid)
    const resuming = new FakeSubscriber('c1', 'ann')
    const fresh = new FakeSubscriber('c2', 'carol')
    expect(await join(service, resuming, 1)).toEqual({ lastSeq: 3, online: ['ann'] })
    await join(service, fresh)
    expect(resuming.seqs).toEqual([2, 3])
    await service.send(bob, ROOM, 'live', 'c4')
    expect(resuming.seqs).toEqual([2, 3, 4])
    expect(fresh.seqs).toEqual([4])
    await service.unsubscribe(resuming, ROOM)
    await service.send(bob, ROOM, 'gone', 'c5')
    expect(resuming.seqs).toEqual([2, 3, 4])
    expect(fresh.seqs).toEqual([4, 5])
  })

  it('fans typing, presence and previews out to joined subscribers', async () => {
    const { service, memory } = await setup()
    const sub = new FakeSubscriber('c1', 'ann')
    await join(service, sub)
    await service.send(bob, ROOM, 'see x.io', 'c1')
    const bobTab = new FakeSubscriber('c2', 'bob')
    await join(service, bobTab)
    await service.typing(bobTab, ROOM)
    const preview = { url: 'https://x.io/', title: 'X', description: null, image: null }
    await service.publishPreview(ROOM, 1, preview)
    expect(sub.events.map((event) => event.payload.type)).toEqual(['presence', 'typing', 'preview'])
    const [stored] = await memory.messagesBefore(ROOM, 2, 1)
    expect(stored?.previews).toEqual([preview])
  })
})

/**
 * A private room 'secret' of ann and bob, where bob's access check waits in the Store until
 * `releaseBob()`: for what happens to other joins (and to bob's own socket) meanwhile.
 */
async function withBobHeldInTheStore() {
  let releaseBob: () => void = () => {}
  const bobChecked = new Promise<void>((resolve) => (releaseBob = resolve))
  const context = await setup({
    store: (inner) => ({
      ...inner,
      findMember: async (room, userId) => {
        if (userId === 'u-bob') await bobChecked
        return inner.findMember(room, userId)
      },
    }),
  })
  await context.memory.createRoom({
    name: 'secret',
    createdAt: 0,
    createdBy: 'u-ann',
    kind: 'private',
    topic: null,
    members: [
      { userId: 'u-ann', role: 'owner' },
      { userId: 'u-bob', role: 'member' },
    ],
  })
  return { ...context, releaseBob }
}

describe('ChatService.subscribe, concurrent joins of a room with no feed yet', () => {
  it('keeps the feed for a join still being checked when another join to it fails', async () => {
    // bob's access check is held in the Store while carol's is refused: carol's failure must not
    // drop the feed bob is about to attach to, or bob would be joined to a feed the bus no longer
    // feeds (no message ever again, no error either).
    const { service, releaseBob } = await withBobHeldInTheStore()
    const bobTab = new FakeSubscriber('c-bob', 'bob')
    const carolTab = new FakeSubscriber('c-carol', 'carol')
    const bobJoined = service.subscribe(bobTab, 'secret', { kind: 'socket' })
    await expect(service.subscribe(carolTab, 'secret', { kind: 'socket' })).rejects.toMatchObject({
      code: 'room_not_found',
    })
    releaseBob()
    await bobJoined
    const sent = await service.send(ann, 'secret', 'hi', 'c1')
    await bobTab.until(() => bobTab.seqs.includes(sent.seq))
    expect(bobTab.messages.map((m) => m.text)).toEqual(['hi'])
  })
})

describe('ChatService.subscribe, a subscriber that goes while it joins', () => {
  it('is not attached afterwards: no messages, no presence left behind', async () => {
    // bob's socket closes (the transport unsubscribes it) while his access check is in the Store.
    const { service, releaseBob, presenceEvents } = await withBobHeldInTheStore()
    const annTab = new FakeSubscriber('c-ann', 'ann')
    await service.subscribe(annTab, 'secret', { kind: 'socket' })
    const bobTab = new FakeSubscriber('c-bob', 'bob')
    const bobJoined = service.subscribe(bobTab, 'secret', { kind: 'socket' })
    await service.unsubscribe(bobTab, 'secret')
    releaseBob()
    await bobJoined
    const sent = await service.send(ann, 'secret', 'later', 'c1')
    await annTab.until(() => annTab.seqs.includes(sent.seq))
    expect(bobTab.seqs).toEqual([])
    expect(await service.online(ann, 'secret')).toEqual(['ann'])
    expect(presenceEvents().filter((e) => e.startsWith('bob'))).toEqual(['bob join', 'bob leave'])
  })
})
