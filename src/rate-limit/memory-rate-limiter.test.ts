// MemoryRateLimiter with a hand-driven clock: bucket arithmetic and bounded memory.
import { describe, expect, it } from 'vitest'
import { createMemoryRateLimiter } from './memory-rate-limiter.js'

const rule = { capacity: 2, refillPerSecond: 4 }

function setup(maxKeys?: number) {
  const clock = { t: 0, now: () => clock.t }
  return { clock, limiter: createMemoryRateLimiter(clock, maxKeys ? { maxKeys } : {}) }
}

describe('MemoryRateLimiter', () => {
  it('allows a burst, then answers the wait until the next token', async () => {
    const { clock, limiter } = setup()
    expect(await limiter.take('u', rule)).toBe(0)
    expect(await limiter.take('u', rule)).toBe(0)
    expect(await limiter.take('u', rule)).toBe(250)
    clock.t += 100
    expect(await limiter.take('u', rule)).toBe(150)
    clock.t += 150
    expect(await limiter.take('u', rule)).toBe(0)
    expect(await limiter.take('other', rule)).toBe(0)
  })

  it('forgets full buckets once past maxKeys', async () => {
    const { clock, limiter } = setup(10)
    for (let i = 0; i < 10; i++) await limiter.take(`k${i}`, rule)
    clock.t += 1000
    await limiter.take('fresh', rule)
    expect(limiter.size()).toBe(1)
  })

  it('drops the least recently used when no bucket is full', async () => {
    const { limiter } = setup(10)
    for (let i = 0; i < 20; i++) await limiter.take(`k${i}`, rule)
    expect(limiter.size()).toBeLessThanOrEqual(10)
  })

  it('rejects a rule that never refills', async () => {
    const { limiter } = setup()
    await expect(limiter.take('u', { capacity: 1, refillPerSecond: 0 })).rejects.toThrow(RangeError)
  })
})
