import { describe, expect, test } from 'vitest'
import { Outbox, type KeyValueStore } from '../../web/src/outbox.js'

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  }
}

describe('Outbox', () => {
  test('survives a reload: a new Outbox on the same storage has the same items', () => {
    const storage = memoryStorage()
    const outbox = new Outbox(storage, 'k')
    outbox.add({ cid: 'c1', room: 'lobby', text: 'hi', createdAt: 1 })
    outbox.add({ cid: 'c2', room: 'lobby', text: 'there', createdAt: 2 })
    outbox.setFailed('c2', true)
    const reloaded = new Outbox(storage, 'k')
    expect(reloaded.items.map((i) => [i.cid, i.failed])).toEqual([
      ['c1', false],
      ['c2', true],
    ])
  })

  test('remove on ack; unknown cids are ignored', () => {
    const outbox = new Outbox(memoryStorage(), 'k')
    outbox.add({ cid: 'c1', room: 'lobby', text: 'hi', createdAt: 1 })
    expect(outbox.remove('nope')).toBeUndefined()
    expect(outbox.remove('c1')?.text).toBe('hi')
    expect(outbox.items).toEqual([])
  })

  test('corrupt storage starts empty instead of throwing', () => {
    const storage = memoryStorage()
    storage.setItem('k', '{not json')
    expect(new Outbox(storage, 'k').items).toEqual([])
    storage.setItem(
      'k',
      JSON.stringify([
        { cid: 1 },
        { cid: 'ok', room: 'r', text: 't', createdAt: 1, failed: false },
      ]),
    )
    expect(new Outbox(storage, 'k').items.map((i) => i.cid)).toEqual(['ok'])
  })
})
