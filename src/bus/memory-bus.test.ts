// MemoryBus specifics beyond the shared contract: handler isolation and close.
import { describe, expect, it } from 'vitest'
import type { BusEvent } from '../domain/ports.js'
import { createMemoryBus } from './memory-bus.js'

const typing = (user: string): BusEvent => ({ type: 'typing', room: 'lobby', user })

describe('MemoryBus', () => {
  it('delivers each event once to every handler, in publish order', async () => {
    const bus = createMemoryBus()
    const a: BusEvent[] = []
    const b: BusEvent[] = []
    bus.onEvent((event) => a.push(event))
    bus.onEvent((event) => b.push(event))
    await Promise.all([bus.publish(typing('x')), bus.publish(typing('y'))])
    expect(a).toEqual([typing('x'), typing('y')])
    expect(b).toEqual(a)
    expect(bus.healthy()).toBe(true)
    await bus.close()
  })

  it('keeps delivering to the other handlers when one throws', async () => {
    const errors: unknown[] = []
    const bus = createMemoryBus({ onHandlerError: (error) => errors.push(error) })
    const seen: BusEvent[] = []
    bus.onEvent(() => {
      throw new Error('boom')
    })
    bus.onEvent((event) => seen.push(event))
    await bus.publish(typing('x'))
    expect(seen).toHaveLength(1)
    expect(errors).toHaveLength(1)
    await bus.close()
  })

  it('delivers nothing after close', async () => {
    const bus = createMemoryBus()
    const seen: BusEvent[] = []
    bus.onEvent((event) => seen.push(event))
    await bus.close()
    await bus.publish(typing('x'))
    expect(seen).toEqual([])
  })
})
