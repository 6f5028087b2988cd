/**
 * Migration 5 (message changes): each message row keeps its current state (reply target, mentions,
 * edit time, deletion, reactions), and edit, delete and reaction events name their target, so the
 * timeline is one query and a delete can find every row that carried the target's text.
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text'
  // Nullable with no default, so adding them rewrites no rows on either engine; SQLite takes one
  // column per statement.
  const columns: Array<[string, 'bigint' | 'jsonb' | 'text']> = [
    // edit, delete and reaction events: the seq of the message they change.
    ['target', 'bigint'],
    // messages: the seq of the message they answer.
    ['reply_to', 'bigint'],
    // messages: a JSON array of the usernames (and "@room") the current text mentions; null: none.
    ['mentions', json],
    ['edited_at', 'bigint'],
    // messages: set once deleted (the text, mentions, previews and reactions are erased then).
    ['deleted_at', 'bigint'],
    // messages: a JSON object, emoji → usernames; null: none.
    ['reactions', json],
  ]
  for (const [name, type] of columns) {
    await db.schema.alterTable('messages').addColumn(name, type).execute()
  }
  // Partial: only the few rows that have a target or answer a message are indexed.
  await sql`create index messages_target on messages (room, target) where target is not null`.execute(
    db,
  )
  await sql`create index messages_reply_to on messages (room, reply_to) where reply_to is not null`.execute(
    db,
  )
}
