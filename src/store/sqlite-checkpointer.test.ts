import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { Store } from '../domain/ports.js'
import { createSqliteStore } from './sqlite-store.js'

let dir: string
let store: Store | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-checkpoint-'))
})
afterEach(async () => {
  await store?.close()
  store = undefined
  await rm(dir, { recursive: true, force: true })
})

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

test('committed messages reach the database file without the writer checkpointing', async () => {
  const file = join(dir, 'eddy.db')
  store = await createSqliteStore({ file })
  await store.migrate()
  await new Promise((resolve) => setTimeout(resolve, 400)) // the migration's pages are copied
  const before = (await stat(file)).size

  // Far below the writer's own automatic-checkpoint backstop: only the checkpointer thread can
  // copy these pages out of the WAL into the database file.
  const text = 'x'.repeat(1_000)
  await Promise.all(
    Array.from({ length: 2_000 }, (_, i) =>
      store!.append({
        id: `m${i}`,
        room: 'lobby',
        userId: 'u1',
        username: 'ann',
        text,
        cid: `c${i}`,
        ts: Date.now(),
      }),
    ),
  )
  const copied = await waitFor(async () => (await stat(file)).size > before + 1_000_000, 5_000)
  expect(copied).toBe(true)
  expect(await store.lastSeq('lobby')).toBe(2_000)
})

test('closing the store stops the checkpointer and reopening finds every message', async () => {
  const file = join(dir, 'eddy.db')
  store = await createSqliteStore({ file })
  await store.migrate()
  await store.append({
    id: 'm1',
    room: 'lobby',
    userId: 'u1',
    username: 'ann',
    text: 'hi',
    cid: 'c1',
    ts: Date.now(),
  })
  await store.close()
  store = await createSqliteStore({ file })
  await store.migrate()
  expect(await store.lastSeq('lobby')).toBe(1)
})
