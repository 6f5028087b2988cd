/**
 * Migration 2: the room log carries events (a `type` and JSON `data` per row), rooms get a kind and
 * a topic, and membership becomes a table. Existing data is kept: rooms become public, their
 * creators owners, and every existing user (not bots) a member of the lobby, with everything so far read.
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './index.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text'

  await db.schema
    .alterTable('messages')
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('message'))
    .execute()
  await db.schema.alterTable('messages').addColumn('data', json).execute()
  await db.schema
    .alterTable('rooms')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('public'))
    .execute()
  await db.schema.alterTable('rooms').addColumn('topic', 'text').execute()

  await db.schema
    .createTable('members')
    .addColumn('room', 'text', (c) => c.notNull().references('rooms.name').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('members_pk', ['room', 'user_id'])
    .execute()
  // "My rooms" reads by user; the primary key serves "this room's members".
  await db.schema.createIndex('members_user_id').on('members').column('user_id').execute()

  const now = Date.now()
  await sql`insert into members (room, user_id, role, read_seq, joined_at)
    select r.name, u.id, 'owner', r.last_seq, ${now}
    from rooms r join users u on u.username = r.created_by`.execute(db)
  await sql`insert into members (room, user_id, role, read_seq, joined_at)
    select 'lobby', u.id, 'member', r.last_seq, ${now}
    from users u join rooms r on r.name = 'lobby'
    where u.id not like 'bot:%'
      and not exists (select 1 from members m where m.room = 'lobby' and m.user_id = u.id)`.execute(
    db,
  )
}
