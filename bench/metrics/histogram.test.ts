import { describe, expect, it } from 'vitest'
import { BUCKET_GROWTH, LatencyHistogram } from './histogram.js'

describe('LatencyHistogram', () => {
  it('reports nearest-rank percentiles within one bucket (2 %)', () => {
    const h = new LatencyHistogram()
    for (let us = 1; us <= 10_000; us++) h.record(us)
    for (const [p, exact] of [
      [50, 5_000],
      [99, 9_900],
      [99.9, 9_990],
    ] as const) {
      const got = h.percentile(p)
      expect(got).toBeGreaterThanOrEqual(exact)
      expect(got).toBeLessThanOrEqual(exact * BUCKET_GROWTH)
    }
    expect(h.percentile(100)).toBe(10_000)
    expect(h.count).toBe(10_000)
  })

  it('merges snapshots by adding counts, not by averaging percentiles', () => {
    const fast = new LatencyHistogram()
    const slow = new LatencyHistogram()
    for (let i = 0; i < 990; i++) fast.record(1_000)
    for (let i = 0; i < 10; i++) slow.record(500_000)
    const merged = LatencyHistogram.fromSnapshots([fast.snapshot(), slow.snapshot()])
    expect(merged.count).toBe(1_000)
    expect(merged.percentile(99)).toBeLessThanOrEqual(1_000 * BUCKET_GROWTH)
    expect(merged.percentile(99.1)).toBe(500_000)
    expect(merged.maxUs).toBe(500_000)
    expect(merged.minUs).toBe(1_000)
  })

  it('is empty-safe', () => {
    const h = LatencyHistogram.fromSnapshots([new LatencyHistogram().snapshot()])
    expect(h.count).toBe(0)
    expect(Number.isNaN(h.percentile(50))).toBe(true)
  })
})
