import { describe, expect, it } from 'vitest'
import { FairQueue } from './fair-queue.js'

describe('FairQueue', () => {
  it('gives the next slot to the key with the fewest running jobs, round-robin among equals', () => {
    const queue = new FairQueue<string>(100, 100)
    for (const job of ['a1', 'a2', 'a3', 'a4']) queue.push('a', job)
    expect(queue.take()?.job).toBe('a1')
    expect(queue.take()?.job).toBe('a2')
    queue.push('b', 'b1')
    queue.push('b', 'b2')
    queue.push('c', 'c1')
    // a runs two, b and c none: b (queued first), then c, then b and a alternate by rotation.
    expect([queue.take(), queue.take()].map((next) => next?.job)).toEqual(['b1', 'c1'])
    queue.done('a')
    queue.done('a')
    expect([queue.take(), queue.take()].map((next) => next?.job)).toEqual(['a3', 'b2'])
    expect(queue.take()?.job).toBe('a4')
    expect(queue.take()).toBeUndefined()
    expect(queue.size).toBe(0)
  })

  it('refuses beyond the per-key and total bounds, and clear empties every lane', () => {
    const queue = new FairQueue<number>(3, 2)
    expect([queue.push('a', 1), queue.push('a', 2), queue.push('a', 3)]).toEqual([
      'queued',
      'queued',
      'key_full',
    ])
    expect([queue.push('b', 4), queue.push('c', 5)]).toEqual(['queued', 'queue_full'])
    queue.clear()
    expect(queue.size).toBe(0)
    expect(queue.take()).toBeUndefined()
    expect(queue.push('a', 6)).toBe('queued')
  })
})
