import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { Store } from '../domain/ports.js'
import { createSqliteStore } from './sqlite-store.js'

let dir: string
let store: Store

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-group-commit-'))
  store = await createSqliteStore({ file: join(dir, 'eddy.db') })
  await store.migrate()
})
afterEach(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

const input = (i: number) => ({
  id: `m${i}`,
  room: 'lobby',
  userId: 'u1',
  username: 'ann',
  text: `message ${i}`,
  cid: `c${i}`,
  ts: Date.now(),
})

test('a lone send is committed in the callback that sent it, not after the event-loop turn', async () => {
  await new Promise((resolve) => setTimeout(resolve, 250)) // quiet: no recent appends
  const order: string[] = []
  setImmediate(() => order.push('turn ended'))
  await store.append(input(1)).then(() => order.push('committed'))
  await new Promise((resolve) => setImmediate(resolve))
  expect(order).toEqual(['committed', 'turn ended'])
})

test('appends queued in the same callback commit together and keep their order', async () => {
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(input(i))))
  expect(results.map((r) => r.message.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
})
