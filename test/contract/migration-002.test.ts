// Migration 2 (and the later ones) on data written by migration 1: rooms become public with their
// creators as owners, every user joins the lobby with its history read, the messages become the
// log's first events, and (migration 5) read as never edited, deleted or reacted to.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, sql, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Store } from '../../src/domain/ports.js'
import * as init from '../../src/store/migrations/001-init.js'
import type { SqlDialect } from '../../src/store/migrations/index.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import { createSqliteStore } from '../../src/store/sqlite-store.js'
import { PG_URL, postgresUnavailable, withScratchSchema } from './store-factories.js'

/** What a version-1 Eddy left behind: two users, a room by one of them, lobby messages. */
async function writeVersion1(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await sql`create table schema_migrations (version integer primary key, name text not null,
    applied_at bigint not null)`.execute(db)
  await init.up(db, dialect)
  await sql`insert into schema_migrations values (1, 'init', 1)`.execute(db)
  await sql`insert into users (id, username, username_key, password_hash, created_at)
    values ('u1', 'Ann', 'ann', 'h', 1), ('u2', 'bob', 'bob', 'h', 2)`.execute(db)
  await sql`insert into rooms (name, created_at, created_by, last_seq)
    values ('annex', 3, 'Ann', 1)`.execute(db)
  await sql`update rooms set last_seq = 2 where name = 'lobby'`.execute(db)
  await sql`insert into messages (room, seq, id, user_id, username, text, cid, ts) values
    ('lobby', 1, 'm1', 'u1', 'Ann', 'first', 'c1', 10),
    ('lobby', 2, 'm2', 'u2', 'bob', 'second', 'c2', 11),
    ('annex', 1, 'm3', 'u1', 'Ann', 'mine', 'c3', 12)`.execute(db)
}

async function expectMigrated(store: Store): Promise<void> {
  await store.migrate()
  expect(await store.findRoom('annex')).toMatchObject({ kind: 'public', topic: null, lastSeq: 1 })
  expect(await store.findMember('annex', 'u1')).toMatchObject({ role: 'owner', readSeq: 1 })
  expect(await store.findMember('annex', 'u2')).toBeUndefined()
  expect((await store.listMembers('lobby')).map((m) => [m.username, m.role, m.readSeq])).toEqual([
    ['Ann', 'member', 2],
    ['bob', 'member', 2],
  ])
  expect(await store.messagesAfter('lobby', 0, 10)).toMatchObject([
    { type: 'message', seq: 1, text: 'first', user: 'Ann' },
    { type: 'message', seq: 2, text: 'second', user: 'bob' },
  ])
  expect((await store.myRooms('u2', 'bob')).map((r) => [r.name, r.unread])).toEqual([['lobby', 0]])
  // Messages from before migration 5 read as never changed, and can change from now on.
  expect(await store.messagesBefore('lobby', undefined, 10)).toMatchObject([
    { seq: 2, mentions: [], deleted: false, reactions: {}, replies: 0 },
    { seq: 1, mentions: [], deleted: false, reactions: {}, replies: 0 },
  ])
  const edited = await store.changeMessage({
    id: 'e1',
    room: 'lobby',
    userId: 'u1',
    username: 'Ann',
    cid: 'e1',
    ts: 12,
    target: 1,
    change: { type: 'edit', text: 'first!', mentions: [] },
  })
  expect(edited.event).toMatchObject({ type: 'edit', seq: 3, target: 1 })
  // The log goes on from where the messages stopped.
  const { message } = await store.append({
    id: 'm4',
    room: 'lobby',
    userId: 'u1',
    username: 'Ann',
    text: 'third',
    cid: 'c4',
    ts: 13,
  })
  expect(message.seq).toBe(4)
}

describe('migration 2 keeps version-1 data', () => {
  it('on SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-migrate-'))
    try {
      const file = join(dir, 'eddy.db')
      const old = new Kysely<unknown>({
        dialect: new SqliteDialect({ database: new BetterSqlite3(file) }),
      })
      await writeVersion1(old, 'sqlite')
      await old.destroy()
      const store = await createSqliteStore({ file })
      try {
        await expectMigrated(store)
      } finally {
        await store.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('on PostgreSQL', async (ctx) => {
    if ((await postgresUnavailable()) !== undefined) ctx.skip()
    await withScratchSchema('eddy_mig', async ({ schema, kysely }) => {
      const old = kysely()
      await writeVersion1(old, 'postgres')
      await old.destroy()
      const store = await createPostgresStore({ url: PG_URL, schema, poolMax: 2 })
      try {
        await expectMigrated(store)
      } finally {
        await store.close()
      }
    })
  })
})
