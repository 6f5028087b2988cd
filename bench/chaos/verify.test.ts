import { describe, expect, it } from 'vitest'
import { audit, clean, STEADY, type AuditInput, type StoredMessage } from './verify.js'

const stored = (n: number, from = 1): StoredMessage[] =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, cid: `c${from + i}`, user: 'u' }))

const at = (seqs: number[], time = 0) => seqs.map((seq, i) => ({ seq, at: time + i }))

function input(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    stored: new Map([['r', stored(5)]]),
    acks: stored(5).map((m) => ({ room: 'r', seq: m.seq, cid: m.cid, at: m.seq, user: 'u' })),
    subscribers: [{ client: 'a', room: 'r', baseline: 0, deliveries: at([1, 2, 3, 4, 5]) }],
    windows: [],
    ackConflicts: 0,
    ...overrides,
  }
}

describe('chaos audit', () => {
  it('passes a subscriber that saw every stored seq once, in order, across a resume', () => {
    const result = audit(input())
    expect(result.total).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 })
    expect(clean(result)).toBe(true)
  })

  it('owes a subscriber only what came after its first join', () => {
    const result = audit(
      input({ subscribers: [{ client: 'a', room: 'r', baseline: 3, deliveries: at([4, 5]) }] }),
    )
    expect(clean(result)).toBe(true)
  })

  it('counts a seq repeated after a resume as a duplicate, a late one as out of order, a missing one as lost', () => {
    const result = audit(
      input({
        subscribers: [
          { client: 'a', room: 'r', baseline: 0, deliveries: at([1, 2, 2, 4, 3]) },
          { client: 'b', room: 'r', baseline: 0, deliveries: at([1, 2, 3, 4]) },
        ],
      }),
    )
    expect(result.total).toEqual({ lost: 2, duplicated: 1, outOfOrder: 1 })
    expect(clean(result)).toBe(false)
  })

  it('counts an acked message the store does not hold as lost, and a cid stored twice as duplicated', () => {
    const messages = [...stored(3), { seq: 4, cid: 'c1', user: 'u' }]
    const result = audit(
      input({
        stored: new Map([['r', messages]]),
        acks: [{ room: 'r', seq: 9, cid: 'c9', at: 1, user: 'u' }],
        subscribers: [{ client: 'a', room: 'r', baseline: 0, deliveries: at([1, 2, 3, 4]) }],
      }),
    )
    expect(result.total).toEqual({ lost: 1, duplicated: 1, outOfOrder: 0 })
  })

  it('attributes anomalies to the fault running when they happened', () => {
    const result = audit(
      input({
        subscribers: [{ client: 'a', room: 'r', baseline: 0, deliveries: at([1, 2, 3, 3, 4, 5]) }],
        windows: [{ fault: 'kill', start: 3, end: 3.5 }],
      }),
    )
    expect(result.byFault.get('kill')).toEqual({ lost: 0, duplicated: 1, outOfOrder: 0 })
    expect(result.byFault.get(STEADY)).toBeUndefined()
  })

  it('flags deliveries of seqs the store does not hold', () => {
    const result = audit(
      input({
        subscribers: [{ client: 'a', room: 'r', baseline: 0, deliveries: at([1, 2, 3, 4, 5, 6]) }],
      }),
    )
    expect(result.phantom).toBe(1)
    expect(clean(result)).toBe(false)
  })
})
