/** The Bus contract (domain/ports.ts), run against every adapter; clauses narrow by capability. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Bus, BusEvent, UserEvent } from '../../src/domain/ports.js'

export interface BusPair {
  /** Two nodes sharing one engine; a single-node bus passes the same bus twice. */
  readonly a: Bus
  readonly b: Bus
  /** Cuts node a's connections on the engine's side, as a network fault would. */
  readonly cutA?: () => Promise<void>
}

export interface BusContractOptions {
  readonly newPair: () => Promise<BusPair>
  /** Cross-node clauses run only when a and b are distinct nodes. */
  readonly multiNode: boolean
  /** newPair returns cutA, and the bus must survive it. */
  readonly canCut?: boolean
  /** A bus whose engine cannot be reached (e.g. a closed port). */
  readonly newUnreachableBus?: () => Bus
}

const typing = (user: string, room = 'lobby'): BusEvent => ({ type: 'typing', room, user })

/** Records a bus's events and lets a test await the n-th one instead of sleeping. */
class Collector {
  readonly events: BusEvent[] = []
  private waiters: Array<{ count: number; resolve: () => void }> = []

  constructor(bus: Bus) {
    bus.onEvent((event) => {
      this.events.push(event)
      this.waiters = this.waiters.filter((w) =>
        this.events.length >= w.count ? w.resolve() : true,
      )
    })
  }

  async waitFor(count: number, timeoutMs = 3_000): Promise<BusEvent[]> {
    if (this.events.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`saw ${this.events.length} of ${count} events`)),
          timeoutMs,
        )
        this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) })
      })
    }
    return this.events
  }
}

/** Records a bus's user-channel events as [userId, event] pairs. */
class UserCollector {
  readonly events: Array<[string, UserEvent]> = []
  private waiters: Array<{ count: number; resolve: () => void }> = []

  constructor(bus: Bus) {
    bus.onUserEvent((user, event) => {
      this.events.push([user, event])
      this.waiters = this.waiters.filter((w) =>
        this.events.length >= w.count ? w.resolve() : true,
      )
    })
  }

  async waitFor(count: number, timeoutMs = 3_000): Promise<Array<[string, UserEvent]>> {
    if (this.events.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`saw ${this.events.length} of ${count} user events`)),
          timeoutMs,
        )
        this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) })
      })
    }
    return this.events
  }
}

const readMark = (seq: number, room = 'lobby'): UserEvent => ({ type: 'read', room, seq })

function waitForCall(register: (handler: () => void) => void, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('handler not called')), timeoutMs)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export function runBusContract(name: string, options: BusContractOptions): void {
  describe(`Bus contract: ${name}`, () => {
    const open: Bus[] = []
    afterEach(async () => {
      await Promise.all(open.splice(0).map((bus) => bus.close()))
    })
    async function pair(): Promise<BusPair> {
      const p = await options.newPair()
      open.push(p.a, p.b)
      return p
    }

    it('delivers a published event to its own node once, in publish order', async () => {
      const { a } = await pair()
      await a.watch('lobby')
      const seen = new Collector(a)
      for (let i = 0; i < 5; i++) await a.publish(typing(`u${i}`))
      expect(seen.events.map((e) => (e.type === 'typing' ? e.user : e.type))).toEqual([
        'u0',
        'u1',
        'u2',
        'u3',
        'u4',
      ])
      expect(a.healthy()).toBe(true)
    })

    it('delivers a user event to its own node once, in order, apart from room events', async () => {
      const { a } = await pair()
      await a.watchUser('u1')
      const rooms = new Collector(a)
      const users = new UserCollector(a)
      const ended: UserEvent = { type: 'sessions-ended', reason: 'logout', session: 's1' }
      await a.publishToUser('u1', readMark(1))
      await a.publishToUser('u1', ended)
      await a.publishToUser('u1', readMark(2))
      expect(users.events).toEqual([
        ['u1', readMark(1)],
        ['u1', ended],
        ['u1', readMark(2)],
      ])
      expect(rooms.events).toEqual([])
    })

    it('answers a ping with a round trip through the engine', async () => {
      const { a } = await pair()
      await expect(a.ping(2_000)).resolves.toBeUndefined()
    })

    it('publishes nothing after close', async () => {
      const { a } = await pair()
      const seen = new Collector(a)
      await a.close()
      await a.publish(typing('late'))
      expect(seen.events).toEqual([])
    })

    describe.runIf(options.multiNode)('across nodes', () => {
      it('delivers to the other node once and not back to the publisher', async () => {
        const { a, b } = await pair()
        await Promise.all([a.watch('lobby'), b.watch('lobby')])
        const atA = new Collector(a)
        const atB = new Collector(b)
        const message: BusEvent = {
          type: 'log',
          event: {
            type: 'message',
            room: 'lobby',
            seq: 1,
            id: 'm1',
            user: 'ann',
            text: 'hi',
            ts: 1,
            cid: 'c1',
          },
        }
        await a.publish(message)
        await atB.waitFor(1)
        // b's reply reaches a after any echo of a's own event would have (one Redis order).
        await b.publish(typing('bob'))
        await atA.waitFor(2)
        expect(atA.events).toEqual([message, typing('bob')])
        expect(atB.events).toEqual([message, typing('bob')])
      })

      it('carries membership and room events of the log across nodes', async () => {
        const { a, b } = await pair()
        await b.watch('lobby')
        const atB = new Collector(b)
        const base = { room: 'lobby', user: 'ann', ts: 1 }
        const events: BusEvent[] = [
          {
            type: 'log',
            event: {
              type: 'member',
              ...base,
              seq: 2,
              subject: 'bob',
              op: 'invite',
              role: 'member',
            },
          },
          { type: 'log', event: { type: 'member', ...base, seq: 3, subject: 'bob', op: 'remove' } },
          { type: 'log', event: { type: 'room', ...base, seq: 4, topic: 'news' } },
        ]
        for (const event of events) await a.publish(event)
        expect(await atB.waitFor(3)).toEqual(events)
      })

      it('carries messages that change (replies, mentions, edits, deletes, reactions) across nodes', async () => {
        const { a, b } = await pair()
        await b.watch('lobby')
        const atB = new Collector(b)
        const base = { room: 'lobby', user: 'ann', ts: 1 }
        const events: BusEvent[] = [
          {
            type: 'log',
            event: {
              type: 'message',
              ...base,
              seq: 5,
              id: 'm5',
              text: 'hi @bob',
              cid: 'c5',
              replyTo: 4,
              mentions: ['bob', '@room'],
            },
          },
          {
            type: 'log',
            event: {
              type: 'edit',
              ...base,
              seq: 6,
              cid: 'c6',
              target: 5,
              text: 'hi @cy',
              mentions: ['cy'],
            },
          },
          {
            type: 'log',
            event: {
              type: 'reaction',
              ...base,
              seq: 7,
              cid: 'c7',
              target: 5,
              emoji: '👍🏽',
              op: 'add',
            },
          },
          { type: 'log', event: { type: 'delete', ...base, seq: 8, cid: 'c8', target: 5 } },
        ]
        for (const event of events) await a.publish(event)
        expect(await atB.waitFor(4)).toEqual(events)
      })

      it('keeps publish order across nodes', async () => {
        const { a, b } = await pair()
        await b.watch('lobby')
        const atB = new Collector(b)
        const sent = Array.from({ length: 50 }, (_, i) => typing(`u${i}`))
        await Promise.all(sent.map((event) => a.publish(event)))
        expect(await atB.waitFor(50)).toEqual(sent)
      })

      it('delivers only watched rooms, and stops at unwatch', async () => {
        const { a, b } = await pair()
        await Promise.all([b.watch('lobby'), b.watch('marker')])
        const atB = new Collector(b)
        await a.publish(typing('ann', 'elsewhere'))
        await b.unwatch('lobby')
        await a.publish(typing('ann', 'lobby'))
        await a.publish(typing('ann', 'marker'))
        expect(await atB.waitFor(1)).toEqual([typing('ann', 'marker')])
      })

      it('delivers a user event to every node watching the user, once, not back to the publisher', async () => {
        const { a, b } = await pair()
        await Promise.all([a.watchUser('u1'), b.watchUser('u1'), b.watch('u1')])
        const atA = new UserCollector(a)
        const atB = new UserCollector(b)
        const roomsAtB = new Collector(b)
        const notify: UserEvent = {
          type: 'notify',
          kind: 'dm',
          room: 'dm-1',
          seq: 3,
          user: 'ann',
          text: 'hi',
        }
        await a.publishToUser('u1', notify)
        await atB.waitFor(1)
        // b's reply reaches a after any echo of a's own event would have (one Redis order).
        await b.publishToUser('u1', readMark(3))
        await atA.waitFor(2)
        expect(atA.events).toEqual([
          ['u1', notify],
          ['u1', readMark(3)],
        ])
        expect(atB.events).toEqual(atA.events)
        // A room that happens to share the user's id hears none of it.
        expect(roomsAtB.events).toEqual([])
      })

      it('delivers only watched users, and stops at unwatchUser', async () => {
        const { a, b } = await pair()
        await Promise.all([b.watchUser('u1'), b.watchUser('marker')])
        const atB = new UserCollector(b)
        await a.publishToUser('u2', readMark(1))
        await b.unwatchUser('u1')
        await b.unwatchUser('u1')
        await a.publishToUser('u1', readMark(2))
        // Watching the room named like the user does not bring the user's channel back.
        await b.watch('u1')
        await a.publishToUser('u1', readMark(3))
        await a.publishToUser('marker', readMark(4))
        expect(await atB.waitFor(1)).toEqual([['marker', readMark(4)]])
      })

      it('watch and unwatch are idempotent', async () => {
        const { a, b } = await pair()
        await b.watch('lobby')
        await b.watch('lobby')
        const atB = new Collector(b)
        await a.publish(typing('ann'))
        await atB.waitFor(1)
        await b.unwatch('lobby')
        await b.unwatch('lobby')
        await b.watch('marker')
        await a.publish(typing('ann'))
        await a.publish(typing('ann', 'marker'))
        expect(await atB.waitFor(2)).toEqual([typing('ann'), typing('ann', 'marker')])
      })
    })

    describe.runIf(options.canCut === true || options.newUnreachableBus !== undefined)(
      'when the engine is lost',
      () => {
        it.runIf(options.canCut)(
          'turns unhealthy, reconnects, resubscribes and tells onReconnect',
          async () => {
            const { a, b, cutA } = await pair()
            if (!cutA) throw new Error('canCut needs newPair to return cutA')
            await a.watch('lobby')
            await a.watchUser('u1')
            const atA = new Collector(a)
            const usersAtA = new UserCollector(a)
            const reconnected = waitForCall((handler) => a.onReconnect(handler))
            await cutA()
            // The kill is confirmed on another connection; a's socket learns of it a moment later.
            await vi.waitFor(() => expect(a.healthy()).toBe(false), { interval: 5 })
            await reconnected
            // onReconnect follows the subscriber; the publish connection may come back a bit later.
            await vi.waitFor(() => expect(a.healthy()).toBe(true), { interval: 5 })
            // The marker comes after any duplicate a double subscription would cause.
            await b.publish(typing('bob'))
            await b.publish(typing('marker'))
            expect(await atA.waitFor(2)).toEqual([typing('bob'), typing('marker')])
            // The user channel is watched again too.
            await b.publishToUser('u1', readMark(9))
            expect(await usersAtA.waitFor(1)).toEqual([['u1', readMark(9)]])
          },
        )

        it.runIf(options.canCut)(
          'delivers what a cut node published once it is back, once',
          async () => {
            const { a, b, cutA } = await pair()
            if (!cutA) throw new Error('canCut needs newPair to return cutA')
            await b.watch('lobby')
            const atA = new Collector(a)
            const atB = new Collector(b)
            const message = (seq: number): BusEvent => ({
              type: 'log',
              event: {
                type: 'message',
                room: 'lobby',
                seq,
                id: `m${seq}`,
                user: 'ann',
                text: 't',
                ts: 1,
                cid: `c${seq}`,
              },
            })
            await cutA()
            await vi.waitFor(() => expect(a.healthy()).toBe(false), { interval: 5 })
            await a.publish(message(1))
            expect(atA.events).toEqual([message(1)])
            await a.publish(message(2))
            expect(await atB.waitFor(2, 5_000)).toEqual([message(1), message(2)])
            await a.publish(typing('marker'))
            expect(await atB.waitFor(3)).toEqual([message(1), message(2), typing('marker')])
          },
        )

        it.runIf(options.newUnreachableBus !== undefined)(
          'still delivers locally, and fast, when the engine is unreachable',
          async () => {
            if (!options.newUnreachableBus) throw new Error('unreachable')
            const bus = options.newUnreachableBus()
            open.push(bus)
            const seen = new Collector(bus)
            await bus.watch('lobby')
            const started = Date.now()
            await bus.publish(typing('ann'))
            expect(Date.now() - started).toBeLessThan(500)
            expect(seen.events).toEqual([typing('ann')])
            expect(bus.healthy()).toBe(false)
          },
        )
      },
    )
  })
}
