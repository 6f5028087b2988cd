/**
 * Migration 10 (PostgreSQL): an index of `message_search`'s tombstones (rows whose `body` is null:
 * a deleted, removed or emptied message), so the indexer can prune those no queued change needs
 * any more without reading the whole table. SQLite: nothing (its index keeps no tombstones).
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return
  await sql`create index message_search_tombstones on message_search (room, seq)
    where body is null`.execute(db)
}
