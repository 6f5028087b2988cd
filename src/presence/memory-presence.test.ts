// MemoryPresence with a hand-driven clock: tab counting, expiry, no revival after sweep.
import { describe, expect, it } from 'vitest'
import { createMemoryPresence } from './memory-presence.js'

function setup() {
  const clock = { t: 1_000, now: () => clock.t }
  return { clock, presence: createMemoryPresence(clock) }
}

const entry = (user: string, connectionId: string, room = 'lobby') => ({ room, user, connectionId })

describe('MemoryPresence', () => {
  it('counts tabs: joins with the first entry, leaves after the last', async () => {
    const { presence } = setup()
    expect(await presence.add(entry('ann', 'c1'), 1000)).toBe(true)
    expect(await presence.add(entry('ann', 'c2'), 1000)).toBe(false)
    expect(await presence.remove(entry('ann', 'c1'))).toBe(false)
    expect(await presence.online('lobby')).toEqual(['ann'])
    expect(await presence.remove(entry('ann', 'c2'))).toBe(true)
    expect(await presence.online('lobby')).toEqual([])
    expect(await presence.remove(entry('ann', 'c2'))).toBe(false)
  })

  it('expires unrefreshed entries and reports each departure once', async () => {
    const { clock, presence } = setup()
    await presence.add(entry('ann', 'c1'), 1000)
    await presence.add(entry('bob', 'c2'), 1000)
    clock.t += 600
    await presence.refresh([entry('bob', 'c2')], 1000)
    clock.t += 600
    expect(await presence.online('lobby')).toEqual(['bob'])
    expect(await presence.sweep()).toEqual([{ room: 'lobby', user: 'ann' }])
    expect(await presence.sweep()).toEqual([])
  })

  it('does not revive a swept entry on refresh', async () => {
    const { clock, presence } = setup()
    await presence.add(entry('ann', 'c1'), 1000)
    clock.t += 2000
    await presence.sweep()
    await presence.refresh([entry('ann', 'c1')], 1000)
    expect(await presence.online('lobby')).toEqual([])
  })
})
