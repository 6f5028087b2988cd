/** The PresenceRegistry contract (domain/ports.ts), run against every adapter with a fake clock. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Clock, PresenceRegistry } from '../../src/domain/ports.js'

export interface PresenceContractOptions {
  /** Called once per test: a fresh cluster whose registries (nodes) share state when `shared`. */
  readonly newCluster: () => (clock: Clock) => PresenceRegistry
  /** Two registries share state: run the several-nodes clauses. */
  readonly shared: boolean
}

const TTL_MS = 10_000
const entry = (user: string, connectionId: string, room = 'lobby') => ({ room, user, connectionId })

export function runPresenceContract(name: string, options: PresenceContractOptions): void {
  describe(`PresenceRegistry contract: ${name}`, () => {
    const open: PresenceRegistry[] = []
    afterEach(async () => {
      await Promise.all(open.splice(0).map((presence) => presence.close()))
    })
    function setup() {
      const clock = { t: 1_700_000_000_000, now: () => clock.t }
      const newNode = options.newCluster()
      const node = () => {
        const presence = newNode(clock)
        open.push(presence)
        return presence
      }
      return { clock, presence: node(), node }
    }

    it('joins with the first tab and leaves after the last', async () => {
      const { presence } = setup()
      expect(await presence.add(entry('ann', 'c1'), TTL_MS)).toBe(true)
      expect(await presence.add(entry('ann', 'c2'), TTL_MS)).toBe(false)
      expect(await presence.add(entry('ann', 'c2'), TTL_MS)).toBe(false)
      expect(await presence.remove(entry('ann', 'c1'))).toBe(false)
      expect(await presence.online('lobby')).toEqual(['ann'])
      expect(await presence.remove(entry('ann', 'c2'))).toBe(true)
      expect(await presence.online('lobby')).toEqual([])
    })

    it('answers false when removing an unknown entry', async () => {
      const { presence } = setup()
      expect(await presence.remove(entry('ghost', 'c1'))).toBe(false)
      await presence.add(entry('ann', 'c1'), TTL_MS)
      expect(await presence.remove(entry('ann', 'other'))).toBe(false)
      expect(await presence.online('lobby')).toEqual(['ann'])
    })

    it('lists users per room, sorted, once each', async () => {
      const { presence } = setup()
      await presence.add(entry('zed', 'c1'), TTL_MS)
      await presence.add(entry('ann', 'c2'), TTL_MS)
      await presence.add(entry('ann', 'c3'), TTL_MS)
      await presence.add(entry('bob', 'c4', 'other'), TTL_MS)
      expect(await presence.online('lobby')).toEqual(['ann', 'zed'])
      expect(await presence.online('other')).toEqual(['bob'])
      expect(await presence.online('empty')).toEqual([])
    })

    it('expires unrefreshed entries; sweep reports each departure once', async () => {
      const { clock, presence } = setup()
      await presence.add(entry('ann', 'c1'), TTL_MS)
      await presence.add(entry('bob', 'c2'), TTL_MS)
      await presence.add(entry('bob', 'c3', 'other'), TTL_MS)
      clock.t += TTL_MS / 2
      await presence.refresh([entry('bob', 'c2')], TTL_MS)
      clock.t += TTL_MS / 2
      expect(await presence.online('lobby')).toEqual(['bob'])
      const left = await presence.sweep()
      expect(left.sort((x, y) => x.room.localeCompare(y.room))).toEqual([
        { room: 'lobby', user: 'ann' },
        { room: 'other', user: 'bob' },
      ])
      expect(await presence.sweep()).toEqual([])
      expect(await presence.online('lobby')).toEqual(['bob'])
    })

    it('keeps a user while any tab is live, even after another expired', async () => {
      const { clock, presence } = setup()
      await presence.add(entry('ann', 'c1'), TTL_MS)
      clock.t += TTL_MS / 2
      await presence.add(entry('ann', 'c2'), TTL_MS)
      clock.t += TTL_MS / 2
      expect(await presence.sweep()).toEqual([])
      expect(await presence.remove(entry('ann', 'c2'))).toBe(true)
    })

    it('announces a join again for a user whose entries all expired', async () => {
      const { clock, presence } = setup()
      await presence.add(entry('ann', 'c1'), TTL_MS)
      clock.t += TTL_MS
      expect(await presence.add(entry('ann', 'c2'), TTL_MS)).toBe(true)
      expect(await presence.sweep()).toEqual([])
    })

    it('does not revive an entry that a sweep removed', async () => {
      const { clock, presence } = setup()
      await presence.add(entry('ann', 'c1'), TTL_MS)
      clock.t += TTL_MS
      await presence.sweep()
      await presence.refresh([entry('ann', 'c1')], TTL_MS)
      expect(await presence.online('lobby')).toEqual([])
    })

    it('refreshing with a shorter ttl shortens the stay', async () => {
      const { clock, presence } = setup()
      await presence.add(entry('ann', 'c1'), TTL_MS)
      await presence.refresh([entry('ann', 'c1')], 1_000)
      clock.t += 1_000
      expect(await presence.online('lobby')).toEqual([])
      expect(await presence.sweep()).toEqual([{ room: 'lobby', user: 'ann' }])
    })

    describe.runIf(options.shared)('across nodes', () => {
      it('counts tabs on different nodes as one user', async () => {
        const { presence: a, node } = setup()
        const b = node()
        expect(await a.add(entry('ann', 'a1'), TTL_MS)).toBe(true)
        expect(await b.add(entry('ann', 'b1'), TTL_MS)).toBe(false)
        expect(await b.online('lobby')).toEqual(['ann'])
        expect(await a.remove(entry('ann', 'a1'))).toBe(false)
        expect(await b.remove(entry('ann', 'b1'))).toBe(true)
      })

      it('announces one join and one leave when nodes race for the same user', async () => {
        const { presence: a, node } = setup()
        const nodes = [a, node(), node()]
        const tabs = Array.from({ length: 9 }, (_, i) => entry('ann', `c${i}`))
        const joins = await Promise.all(tabs.map((tab, i) => (nodes[i % 3] ?? a).add(tab, TTL_MS)))
        expect(joins.filter(Boolean)).toHaveLength(1)
        const leaves = await Promise.all(
          tabs.map((tab, i) => (nodes[(i + 1) % 3] ?? a).remove(tab)),
        )
        expect(leaves.filter(Boolean)).toHaveLength(1)
      })

      it('reports a departure to only one of several nodes sweeping at once', async () => {
        const { clock, presence: a, node } = setup()
        const nodes = [a, node(), node(), node()]
        for (let i = 0; i < 20; i++) await a.add(entry(`u${i}`, `c${i}`, `r${i % 3}`), TTL_MS)
        clock.t += TTL_MS
        const reports = (await Promise.all(nodes.map((n) => n.sweep()))).flat()
        expect(reports).toHaveLength(20)
        expect(new Set(reports.map((r) => `${r.room}/${r.user}`)).size).toBe(20)
      })
    })
  })
}
