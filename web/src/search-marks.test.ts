import { describe, expect, it } from 'vitest'
import { byRoom, markedParts } from './search-marks.js'

describe('markedParts', () => {
  it('marks each highlight and keeps the rest as plain text', () => {
    expect(markedParts('我们今天晚上去看电影吧', [[8, 10]])).toEqual([
      { text: '我们今天晚上去看', marked: false },
      { text: '电影', marked: true },
      { text: '吧', marked: false },
    ])
  })

  it('clips a long text around the first match', () => {
    const text = `${'a'.repeat(300)}needle${'b'.repeat(300)}`
    const parts = markedParts(text, [[300, 306]])
    expect(parts[0]).toEqual({ text: '…', marked: false })
    expect(parts.find((p) => p.marked)).toEqual({ text: 'needle', marked: true })
    expect(parts.at(-1)).toEqual({ text: '…', marked: false })
  })

  it('tolerates overlapping and out-of-range offsets', () => {
    expect(
      markedParts('hello', [
        [0, 2],
        [1, 3],
        [4, 99],
      ]),
    ).toEqual([
      { text: 'he', marked: true },
      { text: 'l', marked: true },
      { text: 'l', marked: false },
      { text: 'o', marked: true },
    ])
  })
})

describe('byRoom', () => {
  it('groups hits by room in the order of each room’s newest hit', () => {
    const hits = [
      { room: 'b', seq: 9 },
      { room: 'a', seq: 5 },
      { room: 'b', seq: 3 },
    ]
    expect(byRoom(hits)).toEqual([
      ['b', [hits[0], hits[2]]],
      ['a', [hits[1]]],
    ])
  })
})
