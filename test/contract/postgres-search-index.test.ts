// PostgreSQL's search index kept off the send path (postgres-search-index.ts): tombstones
// (message_search rows with no body, migration 10) are pruned once no queued change of their
// message is left and kept while one is; a search does not wait for a backlog another round holds,
// and still finds what is queued, as it is now.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { PostgresSearchIndex } from '../../src/store/postgres-search-index.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import { addAnnInRoomR, PG_URL, postgresUnavailable, withScratchSchema } from './store-factories.js'

describe('PostgreSQL search index', () => {
  it('are pruned when no change of their message is queued, and kept while one is', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withScratchSchema('eddy_tomb', async ({ schema, admin }) => {
      await admin.query(`drop schema ${schema}`) // the store creates it
      const store = await createPostgresStore({ url: PG_URL, schema, poolMax: 2, searchWindow: 1 })
      const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${schema}` })
      const index = new PostgresSearchIndex(pool)
      try {
        await store.migrate()
        await addAnnInRoomR(store)
        const seqs: number[] = []
        for (const [i, text] of ['alpha one', 'alpha two', 'alpha three'].entries()) {
          const { message } = await store.append({
            id: `m${i}`,
            room: 'r',
            userId: 'u1',
            username: 'ann',
            text,
            cid: `c${i}`,
            ts: i,
          })
          seqs.push(message.seq)
        }
        const found = async () =>
          (await store.searchMessages({ userId: 'u1', text: 'alpha', limit: 10 }))
            .map((hit) => hit.seq)
            .sort((a, b) => a - b)
        const tombstones = async () =>
          (
            await admin.query<{ seq: number }>(
              `select seq from ${schema}.message_search where body is null order by seq`,
            )
          ).rows.map((row) => Number(row.seq))
        expect(await found()).toEqual(seqs)

        // One deleted, one removed outright: each leaves a tombstone once indexed.
        await admin.query(
          `update ${schema}.messages set deleted_at = 1, text = '' where room = 'r' and seq = $1`,
          [seqs[0]],
        )
        await admin.query(`delete from ${schema}.messages where room = 'r' and seq = $1`, [seqs[1]])
        expect(await found()).toEqual([seqs[2]])
        expect(await tombstones()).toEqual([seqs[0], seqs[1]])

        // A change of the first message still queued keeps its tombstone; the other goes.
        await admin.query(`insert into ${schema}.search_queue (room, seq) values ('r', $1)`, [
          seqs[0],
        ])
        expect(await index.prune()).toBe(1)
        expect(await tombstones()).toEqual([seqs[0]])

        // Indexed, that change leaves nothing queued: its tombstone goes too.
        expect(await found()).toEqual([seqs[2]])
        expect(await index.prune()).toBe(1)
        expect(await tombstones()).toEqual([])
        expect(await found()).toEqual([seqs[2]])
        const rows = await admin.query<{ n: string }>(
          `select count(*) as n from ${schema}.message_search`,
        )
        expect(Number(rows.rows[0]?.n)).toBe(1)
      } finally {
        await index.stop()
        await pool.end()
        await store.close()
      }
    })
  })

  it('a search past a held backlog reads the queued messages as they are now', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withScratchSchema('eddy_backlog', async ({ schema, admin }) => {
      await admin.query(`drop schema ${schema}`) // the store creates it
      const store = await createPostgresStore({ url: PG_URL, schema, poolMax: 2, searchWindow: 1 })
      const holder = new pg.Client({ connectionString: PG_URL })
      await holder.connect()
      try {
        await store.migrate()
        await addAnnInRoomR(store)
        let n = 0
        const say = async (text: string) => {
          n++
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
        const found = async () =>
          (await store.searchMessages({ userId: 'u1', text: 'kiwi', limit: 10 }))
            .map((hit) => hit.seq)
            .sort((a, b) => a - b)
        const indexed = [await say('kiwi one'), await say('kiwi two'), await say('kiwi three')]
        expect(await found()).toEqual(indexed)

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
        // Answered without waiting for the holder: the queued messages as they are now.
        expect(await found()).toEqual([indexed[2], ...fresh])
        await holder.query('rollback')
        expect(await found()).toEqual([indexed[2], ...fresh])
      } finally {
        await holder.query('rollback').catch(() => {})
        await holder.end()
        await store.close()
      }
    })
  })
})
