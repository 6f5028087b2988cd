/** Fresh, self-cleaning stores for the contract suite: a temp dir per SQLite store, a schema per PostgreSQL one. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Store } from '../../src/domain/ports.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import { createSqliteStore } from '../../src/store/sqlite-store.js'
import type { NewStoreOptions, StoreHandle } from './store.contract.js'

export async function newSqliteStore(options: NewStoreOptions = {}): Promise<StoreHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-store-'))
  const file = join(dir, 'eddy.db')
  // Starting and stopping the WAL checkpointer thread costs 160-400 ms a store, and these cases
  // write far too little for a checkpoint to matter; the durability cases keep it.
  const open = (): Promise<Store> =>
    createSqliteStore({ file, checkpointer: options.production === true })
  const opened: Store[] = [await open()]
  return {
    store: opened[0]!,
    reopen: async () => {
      const store = await open()
      opened.push(store)
      return store
    },
    cleanup: async () => {
      for (const store of opened) await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

const UNREACHABLE_URL = 'postgres://postgres@127.0.0.1:1/test'

/** undefined when PostgreSQL answers; else why its tests are skipped. Under CI it must answer. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.end()
    return undefined
  } catch (error) {
    const reason = `PostgreSQL at ${PG_URL} is unreachable (${String(error)})`
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires it`)
    console.warn(`Skipping the PostgreSQL store tests: ${reason}. Set TEST_DATABASE_URL.`)
    return reason
  }
}

/** A store in its own fresh schema, dropped in cleanup; `searchWindow`: see PostgresStoreOptions. */
export function newPostgresStore(options: { searchWindow?: number } = {}): Promise<StoreHandle> {
  const schema = `eddy_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const opened: Store[] = []
  const open = async (): Promise<Store> => {
    const store = await createPostgresStore({
      url: PG_URL,
      schema,
      poolMax: 4,
      applicationName: schema,
      ...(options.searchWindow === undefined ? {} : { searchWindow: options.searchWindow }),
    })
    opened.push(store)
    return store
  }
  return open().then((store) => ({
    store,
    reopen: open,
    concurrentInstances: true,
    dropConnections: () =>
      withAdmin(async (admin) => {
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [schema],
        )
      }),
    unreachable: async () => {
      // Port 1 refuses at once: the store must answer store_unavailable, not hang or crash.
      const down = await createPostgresStore({ url: UNREACHABLE_URL, connectionTimeoutMs: 1_000 })
      opened.push(down)
      return down
    },
    cleanup: async () => {
      for (const s of opened) await s.close()
      await withAdmin((admin) => admin.query(`drop schema if exists ${schema} cascade`))
    },
  }))
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

/** A fresh, empty schema for a migration test: an admin client and a one-connection Kysely on it. */
export interface ScratchSchema {
  readonly schema: string
  readonly admin: pg.Client
  /** A Kysely whose connection's search_path is the schema (destroy it before opening a store). */
  readonly kysely: () => Kysely<unknown>
}

/** Runs `test` in a new schema named `<prefix>_<pid>_<random>`, dropped afterwards. */
export async function withScratchSchema(
  prefix: string,
  test: (scratch: ScratchSchema) => Promise<void>,
): Promise<void> {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  try {
    await admin.query(`create schema ${schema}`)
    const kysely = (): Kysely<unknown> => {
      const pool = new pg.Pool({
        connectionString: PG_URL,
        options: `-c search_path=${schema}`,
        max: 1,
      })
      return new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
    }
    await test({ schema, admin, kysely })
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}

/** The search tests' cast: user u1 ("ann"), the one member of private room r. */
export async function addAnnInRoomR(store: Store): Promise<void> {
  await store.createUser({ id: 'u1', username: 'ann', passwordHash: 'x', createdAt: 0 })
  await store.createRoom({
    name: 'r',
    createdAt: 0,
    createdBy: null,
    kind: 'private',
    topic: null,
    members: [{ userId: 'u1', role: 'member' }],
  })
}

/** Message `n` from ann in room r (id m<n>, cid c<n>, ts n): its seq. */
export async function sayAsAnn(store: Store, n: number, text: string): Promise<number> {
  const { message } = await store.append({
    id: `m${n}`,
    room: 'r',
    userId: 'u1',
    username: 'ann',
    text,
    cid: `c${n}`,
    ts: n,
  })
  return message.seq
}
