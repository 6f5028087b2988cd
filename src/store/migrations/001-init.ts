/** Migration 1: users, sessions, rooms (with the lobby) and messages. */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  // 'bigint' has integer affinity in SQLite too; only JSON needs a per-dialect type.
  const json = dialect === 'postgres' ? 'jsonb' : 'text'

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

  // created_by is not a foreign key: the lobby has none, and a room outlives its creator.
  await db.schema
    .createTable('rooms')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()

  // user_id is not a foreign key either: the row keeps its username, so history survives the user.
  await db.schema
    .createTable('messages')
    .addColumn('room', 'text', (c) => c.notNull().references('rooms.name'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('previews', json)
    .addPrimaryKeyConstraint('messages_pk', ['room', 'seq'])
    .addUniqueConstraint('messages_room_user_cid', ['room', 'user_id', 'cid'])
    .execute()

  await sql`insert into rooms (name, created_at, created_by, last_seq)
    values ('lobby', ${Date.now()}, null, 0)`.execute(db)
}
