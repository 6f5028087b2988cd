// RoomPresence's leave grace on the in-memory adapters: a reload within the grace announces
// nothing, a disconnect is announced once the grace has passed, a chosen leave at once.
import { describe, expect, it } from 'vitest'
import { FakeSubscriber } from '../../test/support/fake-subscriber.js'
import { createMemoryBus } from '../bus/memory-bus.js'
import { createMemoryPresence } from '../presence/memory-presence.js'
import type { BusEvent } from './ports.js'
import { RoomPresence } from './room-presence.js'

const ROOM = 'lobby'
const log = { info: () => {}, warn: () => {}, error: () => {} }

function setup(graceMs: number) {
  const clock = { t: 1_000_000, now: () => clock.t }
  const bus = createMemoryBus({
    onHandlerError: (error) => {
      throw error
    },
  })
  const events: string[] = []
  const waiters: Array<{ event: string; resolve: () => void }> = []
  bus.onEvent((event: BusEvent) => {
    if (event.type !== 'presence') return
    const text = `${event.user} ${event.event}`
    events.push(text)
    for (const waiter of waiters.filter((w) => w.event === text)) waiter.resolve()
  })
  const next = (event: string) => new Promise<void>((resolve) => waiters.push({ event, resolve }))
  const presence = new RoomPresence(createMemoryPresence(clock), bus, log, 30_000, graceMs)
  return { presence, events, next }
}

describe('RoomPresence leave grace', () => {
  it('a reload (leave, then back within the grace) announces nothing', async () => {
    // A grace far beyond the test's length: only the re-entry can settle it.
    const { presence, events } = setup(60_000)
    const tab1 = new FakeSubscriber('tab1', 'ann')
    await presence.enter(ROOM, tab1)
    await presence.exit(ROOM, tab1)
    expect(events).toEqual(['ann join'])
    await presence.enter(ROOM, new FakeSubscriber('tab2', 'ann'))
    expect(events).toEqual(['ann join'])
    expect(await presence.online(ROOM)).toEqual(['ann'])
  })

  it('a disconnect is announced once the grace has passed; a chosen leave at once', async () => {
    const { presence, events, next } = setup(20)
    const ann = new FakeSubscriber('a1', 'ann')
    await presence.enter(ROOM, ann)
    const left = next('ann leave')
    await presence.exit(ROOM, ann)
    expect(events).toEqual(['ann join'])
    await left
    expect(events).toEqual(['ann join', 'ann leave'])

    const bob = new FakeSubscriber('b1', 'bob')
    await presence.enter(ROOM, bob)
    await presence.exit(ROOM, bob, true)
    expect(events).toEqual(['ann join', 'ann leave', 'bob join', 'bob leave'])
  })
})
