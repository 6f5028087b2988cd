/**
 * Migration 8 (search): a substring index over messages' current text (docs/search.md).
 * - SQLite: the queue of edits, deletes and removed rows that the index worker applies
 *   (sqlite-search-index.ts keeps the FTS5 trigram index in a file of its own).
 * - PostgreSQL: pg_trgm GIN indexes, one over the text and one over its character pairs (pg_trgm
 *   has no key for a two-character pattern), and a recency index for common words.
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'postgres') await upPostgres(db)
  else await upSqlite(db)
}

/**
 * The index itself lives in a file of its own, kept by a worker thread (sqlite-search-index.ts):
 * new messages are found by rowid, so sends cost nothing here. Edits, deletes and removed rows
 * are queued for it by these triggers, in the transaction of the change.
 */
async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create table search_changes (
    id integer primary key autoincrement,
    message_rowid integer not null)`.execute(db)
  // Only a change of text or deletion is queued: reactions and previews cost nothing.
  await sql`create trigger search_changes_update after update of text, deleted_at on messages
    when new.type = 'message'
    begin
      insert into search_changes (message_rowid) values (new.rowid);
    end`.execute(db)
  await sql`create trigger search_changes_delete after delete on messages
    when old.type = 'message'
    begin
      insert into search_changes (message_rowid) values (old.rowid);
    end`.execute(db)
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  // Nodes migrating different schemas of one database at once must not race to create it.
  await sql`select pg_advisory_xact_lock(hashtext('eddy.pg_trgm'))`.execute(db)
  await sql`create extension if not exists pg_trgm`.execute(db)
  // The extension may live in a schema outside this store's search_path (tests use their own).
  const found = await sql<{ schema: string }>`select extnamespace::regnamespace::text as schema
    from pg_extension where extname = 'pg_trgm'`.execute(db)
  const opclass = sql`${sql.id(found.rows[0]?.schema ?? 'public')}.gin_trgm_ops`
  // Three characters or more: pg_trgm's own trigrams of the text (C code, cheap per write).
  await sql`create index messages_search on messages using gin (text ${opclass})
    where type = 'message' and deleted_at is null`.execute(db)
  // Two characters: pg_trgm has no key for them, so each pair of adjacent characters is also
  // written as a word of its own (both parities), whose padded trigrams pg_trgm does index.
  // SQL, immutable and a single expression: inlined, so the planner matches it to the index.
  await sql`create function eddy_search_pairs(body text) returns text
    language sql immutable strict parallel safe as $$
      select lower(' ' || regexp_replace(body, '(..)', '\\1 ', 'g') || ' '
        || regexp_replace(substr(body, 2), '(..)', '\\1 ', 'g'))
    $$`.execute(db)
  await sql`create index messages_search_pairs on messages
    using gin (eddy_search_pairs(text) ${opclass})
    where type = 'message' and deleted_at is null`.execute(db)
  // Newest first for words so common that reading the newest messages fills a page sooner.
  await sql`create index messages_search_recent on messages (ts, room, seq)
    where type = 'message' and deleted_at is null`.execute(db)
}
