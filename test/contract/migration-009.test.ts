// Migration 9 on a PostgreSQL database searched through migration 8's indexes: the messages
// already there are backfilled into message_search (deleted ones not), and are found, by three
// characters and by two, through the new indexes; the old ones on messages are gone.
import { sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../src/store/migrations/index.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import {
  addAnnInRoomR,
  PG_URL,
  postgresUnavailable,
  sayAsAnn,
  withScratchSchema,
} from './store-factories.js'

describe('migration 9 (search queue)', () => {
  it('backfills message_search from the messages of a version-8 database', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withScratchSchema('eddy_mig9', async ({ schema, admin, kysely }) => {
      const old = kysely()
      await old.transaction().execute(async (trx) => {
        await sql`create table schema_migrations (version integer primary key, name text not null,
          applied_at bigint not null)`.execute(trx)
        for (const migration of MIGRATIONS.filter((m) => m.version <= 8)) {
          await migration.up(trx, 'postgres')
          await sql`insert into schema_migrations values (${migration.version}, ${migration.name}, 1)`.execute(
            trx,
          )
        }
        await sql`insert into users (id, username, username_key, password_hash, created_at)
          values ('u1', 'Ann', 'ann', 'h', 1)`.execute(trx)
        await sql`insert into members (room, user_id, role, read_seq, joined_at)
          values ('lobby', 'u1', 'member', 0, 1)`.execute(trx)
        await sql`update rooms set last_seq = 4 where name = 'lobby'`.execute(trx)
        await sql`insert into messages (room, seq, id, user_id, username, text, cid, ts) values
          ('lobby', 1, 'm1', 'u1', 'Ann', '我们今天晚上去看电影吧', 'c1', 10),
          ('lobby', 2, 'm2', 'u1', 'Ann', 'Deploy the RELEASE today', 'c2', 11),
          ('lobby', 3, 'm3', 'u1', 'Ann', '', 'c3', 12),
          ('lobby', 4, 'm4', 'u1', 'Ann', 'filler', 'c4', 13)`.execute(trx)
        await sql`update messages set deleted_at = 14, text = '' where seq = 3`.execute(trx)
        await sql`insert into messages (room, seq, id, user_id, username, text, cid, ts, deleted_at)
          values ('lobby', 5, 'm5', 'u1', 'Ann', 'gone release', 'c5', 15, 16)`.execute(trx)
      })
      await old.destroy()

      // A one-message window: everything older is found through message_search's indexes.
      const store = await createPostgresStore({ url: PG_URL, schema, poolMax: 2, searchWindow: 1 })
      try {
        await store.migrate()
        const search = async (text: string): Promise<number[]> =>
          (await store.searchMessages({ userId: 'u1', text, limit: 10 })).map((hit) => hit.seq)
        expect(await search('电影')).toEqual([1])
        expect(await search('看电影')).toEqual([1])
        expect(await search('release')).toEqual([2])
        expect(await search('the rel')).toEqual([2])
        const indexes = await admin.query<{ indexname: string }>(
          `select indexname from pg_indexes where schemaname = $1 order by indexname`,
          [schema],
        )
        const names = indexes.rows.map((row) => row.indexname)
        expect(names).toEqual(
          expect.arrayContaining(['message_search_body', 'message_search_pairs']),
        )
        expect(names).not.toContain('messages_search')
        expect(names).not.toContain('messages_search_pairs')
        const rows = await admin.query<{ seq: string }>(
          `select seq from ${schema}.message_search where body is not null order by seq`,
        )
        expect(rows.rows.map((row) => Number(row.seq))).toEqual([1, 2, 4])
      } finally {
        await store.close()
      }
    })
  })
})

describe('search queue across nodes', () => {
  it('finds at once on one node what another acked, edited or deleted', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    const schema = `eddy_q9_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    // Two nodes whose background indexers never run in the test's time: searches catch up alone.
    const a = await createPostgresStore({ url: PG_URL, schema, poolMax: 4, searchWindow: 1 })
    const b = await createPostgresStore({ url: PG_URL, schema, poolMax: 4, searchWindow: 1 })
    try {
      await a.migrate()
      await b.migrate()
      await addAnnInRoomR(a)
      const seqs = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          sayAsAnn(a, i, i % 3 === 0 ? `电影 number ${i}` : `filler ${i}`),
        ),
      )
      const search = (store: typeof a, text: string) =>
        Promise.all(
          Array.from({ length: 4 }, () => store.searchMessages({ userId: 'u1', text, limit: 200 })),
        )
      // Several searches on both nodes at once, sharing the work; what one holds, the others read
      // from messages.
      const found = await Promise.all([search(a, '电影'), search(b, '电影')])
      for (const hits of found.flat()) expect(hits).toHaveLength(100)
      // Removed rows (the room's messages deleted) leave tombstones, found by nobody.
      await admin.query(`delete from ${schema}.messages where room = 'r' and seq = any($1)`, [
        seqs.slice(0, 150),
      ])
      for (const hits of await search(b, 'number')) expect(hits).toHaveLength(50)
      // An edit made elsewhere (the trigger queues it from any connection's search_path).
      await admin.query(`update ${schema}.messages set text = 'changed text' where seq = $1`, [
        seqs[150],
      ])
      for (const hits of await search(b, '电影')) expect(hits).toHaveLength(49)
      for (const hits of await search(a, 'changed')) {
        expect(hits.map((hit) => hit.seq)).toEqual([seqs[150]])
      }
      // A search applies what no round holds; a background round may still hold the rest for a
      // moment, so the tables are awaited: everything indexed, nothing left queued.
      const count = async (sql: string) =>
        Number((await admin.query<{ n: string }>(sql)).rows[0]?.n)
      await expect.poll(() => count(`select count(*) as n from ${schema}.search_queue`)).toBe(0)
      expect(
        await count(`select count(*) as n from ${schema}.message_search where body is not null`),
      ).toBe(150)
    } finally {
      await a.close()
      await b.close()
      await admin.query(`drop schema if exists ${schema} cascade`)
      await admin.end()
    }
  })
})
