/**
 * Acked appends per second for each Store adapter: `npx tsx bench/store-throughput.ts [sqlite|postgres|memory]`.
 * Keeps IN_FLIGHT appends outstanding (like many sockets sending at once), spread over ROOMS rooms.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Store } from '../src/domain/ports.js'
import { createMemoryStore } from '../src/store/memory-store.js'
import { createPostgresStore } from '../src/store/postgres-store.js'
import { createSqliteStore } from '../src/store/sqlite-store.js'

const TOTAL = Number(process.env['APPENDS'] ?? 100_000)
const IN_FLIGHT = Number(process.env['IN_FLIGHT'] ?? 1000)
const ROOMS = Number(process.env['ROOMS'] ?? 10)
// CIDS=uuid: random UUIDs, which land all over the (room, user, cid) index; CIDS=timed: a time
// prefix first, as the web client sends them, so each user's inserts land at the end.
const CIDS = process.env['CIDS'] ?? 'counter'
const cid = (i: number): string =>
  CIDS === 'uuid'
    ? randomUUID()
    : CIDS === 'timed'
      ? `${Date.now().toString(36)}-${randomUUID()}`
      : `c${i}`
const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

async function open(kind: string): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'memory') return { store: createMemoryStore(), cleanup: async () => {} }
  if (kind === 'postgres') {
    const schema = `eddy_bench_${process.pid}`
    const store = await createPostgresStore({ url: PG_URL, schema })
    return {
      store,
      cleanup: async () => {
        await store.close()
        const admin = new pg.Client({ connectionString: PG_URL })
        await admin.connect()
        await admin.query(`drop schema if exists ${schema} cascade`)
        await admin.end()
      },
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'eddy-bench-'))
  const store = await createSqliteStore({ file: join(dir, 'bench.db') })
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

async function run(kind: string): Promise<void> {
  const { store, cleanup } = await open(kind)
  await store.migrate()
  const rooms = Array.from({ length: ROOMS }, (_, i) => `bench${i}`)
  for (const name of rooms)
    await store.createRoom({
      name,
      createdAt: Date.now(),
      createdBy: null,
      kind: 'public',
      topic: null,
      members: [],
    })

  let next = 0
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const i = next++
      await store.append({
        id: `m${i}`,
        room: rooms[i % ROOMS] ?? 'lobby',
        userId: `u${i % 100}`,
        username: `user${i % 100}`,
        text: 'hello, this is a chat message of an ordinary length',
        cid: cid(i),
        ts: Date.now(),
      })
    }
  }
  const started = performance.now()
  const cpu = process.cpuUsage()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  // CPU per append in this process is steadier than wall time on a shared, loaded machine.
  const cpuMicros = (used.user + used.system) / TOTAL
  const stored = (await Promise.all(rooms.map((r) => store.lastSeq(r)))).reduce((a, b) => a + b)
  await store.close()
  await cleanup()
  if (stored !== TOTAL) throw new Error(`stored ${stored} of ${TOTAL}`)
  console.log(
    `${kind}: ${TOTAL} appends, ${IN_FLIGHT} in flight, ${seconds.toFixed(2)} s → ` +
      `${Math.round(TOTAL / seconds)} acked appends/s (${cpuMicros.toFixed(1)} µs Node CPU each)`,
  )
}

for (const kind of process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['sqlite']) {
  await run(kind)
}
