// The tutorial's lesson, checked: blocking makes reqB wait behind reqA; callbacks, Promises and async/await do not.
import { describe, expect, it } from 'vitest'
import * as asyncAwait from './async-await.js'
import * as blocking from './blocking.js'
import * as callback from './callback.js'
import { LONG_IO_MS } from './harness.js'
import * as promise from './promise.js'

describe('async examples', () => {
  it('blocking: reqB finishes after reqA and takes as long', async () => {
    const t = await blocking.run()
    expect(t.bFinishedBeforeA).toBe(false)
    expect(t.aMs).toBeGreaterThanOrEqual(LONG_IO_MS - 5)
    expect(t.bMs).toBeGreaterThanOrEqual(LONG_IO_MS - 50)
  })

  it.each([
    ['callback', callback.run],
    ['promise', promise.run],
    ['async-await', asyncAwait.run],
  ])('%s: reqB finishes while reqA still waits on its I/O', async (_name, run) => {
    const t = await run()
    expect(t.bFinishedBeforeA).toBe(true)
    expect(t.aMs).toBeGreaterThanOrEqual(LONG_IO_MS - 5)
    expect(t.bMs).toBeLessThan(t.aMs)
  })
})
