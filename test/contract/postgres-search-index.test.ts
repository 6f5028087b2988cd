// PostgreSQL's search index kept off the send path (postgres-search-index.ts): tombstones
// (message_search rows with no body, migration 10) are pruned once no queued change of their
// message is left and kept while one is; a search does not wait for a backlog another round holds,
// and still finds what is queued, as it is now.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { Store } from '../../src/domain/ports.js'
import { PostgresSearchIndex } from '../../src/store/postgres-search-index.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import {
  addAnnInRoomR,
  PG_URL,
  postgresUnavailable,
  sayAsAnn,
  withScratchSchema,
} from './store-factories.js'

interface AnnsStore {
  readonly schema: string
  readonly admin: pg.Client
  readonly store: Store
  /** Ann says `text` in room r: its seq. */
  readonly say: (text: string) => Promise<number>
  /** The seqs of ann's search for `text`, ascending. */
  readonly found: (text: string) => Promise<number[]>
}

/** A migrated store in a scratch schema with ann in room r; closed and dropped afterwards. */
async function withAnnsStore(prefix: string, test: (s: AnnsStore) => Promise<void>) {
  await withScratchSchema(prefix, async ({ schema, admin }) => {
    await admin.query(`drop schema ${schema}`) // the store creates it
    // The background indexer looks once, at the start, and not again in the test's time: the
    // tests decide what is indexed and what is held.
    const store = await createPostgresStore({
      url: PG_URL,
      schema,
      poolMax: 2,
      searchWindow: 1,
      searchIndexIdleMs: 3_600_000,
    })
    try {
      await store.migrate()
      await addAnnInRoomR(store)
      let n = 0
      await test({
        schema,
        admin,
        store,
        say: (text) => sayAsAnn(store, ++n, text),
        found: async (text) =>
          (await store.searchMessages({ userId: 'u1', text, limit: 10 }))
            .map((hit) => hit.seq)
            .sort((a, b) => a - b),
      })
    } finally {
      await store.close()
    }
  })
}

describe('PostgreSQL search index', () => {
  it('are pruned when no change of their message is queued, and kept while one is', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withAnnsStore('eddy_tomb', async ({ schema, admin, say, found }) => {
      const pool = new pg.Pool({
        connectionString: PG_URL,
        options: `-c search_path=${schema}`,
      })
      const index = new PostgresSearchIndex(pool)
      try {
        const seqs = [await say('alpha one'), await say('alpha two'), await say('alpha three')]
        const tombstones = async () =>
          (
            await admin.query<{ seq: number }>(
              `select seq from ${schema}.message_search where body is null order by seq`,
            )
          ).rows.map((row) => Number(row.seq))
        expect(await found('alpha')).toEqual(seqs)

        // One deleted, one removed outright: each leaves a tombstone once indexed.
        await admin.query(
          `update ${schema}.messages set deleted_at = 1, text = '' where room = 'r' and seq = $1`,
          [seqs[0]],
        )
        await admin.query(`delete from ${schema}.messages where room = 'r' and seq = $1`, [seqs[1]])
        expect(await found('alpha')).toEqual([seqs[2]])
        expect(await tombstones()).toEqual([seqs[0], seqs[1]])

        // A change of the first message still queued keeps its tombstone; the other goes.
        await admin.query(`insert into ${schema}.search_queue (room, seq) values ('r', $1)`, [
          seqs[0],
        ])
        expect(await index.prune()).toBe(1)
        expect(await tombstones()).toEqual([seqs[0]])

        // Indexed, that change leaves nothing queued: its tombstone goes too.
        expect(await found('alpha')).toEqual([seqs[2]])
        expect(await index.prune()).toBe(1)
        expect(await tombstones()).toEqual([])
        expect(await found('alpha')).toEqual([seqs[2]])
        const rows = await admin.query<{ n: string }>(
          `select count(*) as n from ${schema}.message_search`,
        )
        expect(Number(rows.rows[0]?.n)).toBe(1)
      } finally {
        await index.stop()
        await pool.end()
      }
    })
  })

  it('a search past a held backlog reads the queued messages as they are now', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withAnnsStore('eddy_backlog', async ({ schema, admin, store, say, found }) => {
      const holder = new pg.Client({ connectionString: PG_URL })
      await holder.connect()
      try {
        const indexed = [await say('kiwi one'), await say('kiwi two'), await say('kiwi three')]
        expect(await found('kiwi')).toEqual(indexed)

        // Another round holds every queued change: two new messages, one edited away, one deleted.
        const fresh = [await say('kiwi four'), await say('kiwi five')]
        await admin.query(`update ${schema}.messages set text = 'plum' where seq = $1`, [
          indexed[0],
        ])
        await admin.query(
          `update ${schema}.messages set deleted_at = 1, text = '' where seq = $1`,
          [indexed[1]],
        )
        await holder.query('begin')
        const held = await holder.query(`select id from ${schema}.search_queue for update`)
        expect(held.rowCount).toBe(4)
        // Answered without waiting for the holder: the queued messages as they are now, and only
        // to a member of their room (bob is not one).
        expect(await found('kiwi')).toEqual([indexed[2], ...fresh])
        await store.createUser({ id: 'u2', username: 'bob', passwordHash: 'x', createdAt: 0 })
        expect(await store.searchMessages({ userId: 'u2', text: 'kiwi', limit: 10 })).toEqual([])
        await holder.query('rollback')
        expect(await found('kiwi')).toEqual([indexed[2], ...fresh])
      } finally {
        await holder.query('rollback').catch(() => {})
        await holder.end()
      }
    })
  })
})
