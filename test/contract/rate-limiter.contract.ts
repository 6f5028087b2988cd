/** The RateLimiter contract (domain/ports.ts), run against every adapter with a fake clock. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Clock, RateLimiter } from '../../src/domain/ports.js'

export interface RateLimiterContractOptions {
  /** Called once per test; limiters from one call share buckets when `shared`. */
  readonly newCluster: () => (clock: Clock) => RateLimiter & { close?: () => Promise<void> }
  readonly shared: boolean
}

const rule = { capacity: 3, refillPerSecond: 2 }

export function runRateLimiterContract(name: string, options: RateLimiterContractOptions): void {
  describe(`RateLimiter contract: ${name}`, () => {
    const open: Array<{ close?: () => Promise<void> }> = []
    afterEach(async () => {
      await Promise.all(
        open.splice(0).flatMap((limiter) => (limiter.close ? [limiter.close()] : [])),
      )
    })
    function setup() {
      const clock = { t: 1_700_000_000_000, now: () => clock.t }
      const newNode = options.newCluster()
      const node = () => {
        const limiter = newNode(clock)
        open.push(limiter)
        return limiter
      }
      return { clock, limiter: node(), node }
    }

    it('allows a burst of capacity, then answers the ms until the next token', async () => {
      const { clock, limiter } = setup()
      for (let i = 0; i < 3; i++) expect(await limiter.take('ann', rule)).toBe(0)
      expect(await limiter.take('ann', rule)).toBe(500)
      clock.t += 200
      expect(await limiter.take('ann', rule)).toBe(300)
      clock.t += 300
      expect(await limiter.take('ann', rule)).toBe(0)
      expect(await limiter.take('ann', rule)).toBe(500)
    })

    it('keeps keys apart', async () => {
      const { limiter } = setup()
      for (let i = 0; i < 3; i++) await limiter.take('ann', rule)
      expect(await limiter.take('ann', rule)).toBeGreaterThan(0)
      expect(await limiter.take('bob', rule)).toBe(0)
    })

    it('refills up to capacity and no further', async () => {
      const { clock, limiter } = setup()
      await limiter.take('ann', rule)
      clock.t += 60_000
      for (let i = 0; i < 3; i++) expect(await limiter.take('ann', rule)).toBe(0)
      expect(await limiter.take('ann', rule)).toBeGreaterThan(0)
    })

    it('neither mints nor loses tokens when the clock steps back', async () => {
      const { clock, limiter } = setup()
      for (let i = 0; i < 3; i++) await limiter.take('ann', rule)
      clock.t -= 10_000
      expect(await limiter.take('ann', rule)).toBe(500)
    })

    it('rejects a rule that could never refill', async () => {
      const { limiter } = setup()
      await expect(limiter.take('ann', { capacity: 1, refillPerSecond: 0 })).rejects.toThrow(
        RangeError,
      )
    })

    describe.runIf(options.shared)('across nodes', () => {
      it('shares one bucket per key, even under concurrent takes', async () => {
        const { limiter: a, node } = setup()
        const b = node()
        const waits = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).take('ann', rule)),
        )
        expect(waits.filter((w) => w === 0)).toHaveLength(3)
      })
    })
  })
}
