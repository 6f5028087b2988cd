/**
 * Migration 8 (search): a substring index over messages' current text that every write keeps in
 * step inside its own transaction (docs/search.md).
 * - SQLite: a contentless FTS5 table with the trigram tokenizer, kept by triggers on `messages`
 *   (so appends, group commits, edits, deletes and room deletes all maintain it), plus its
 *   vocabulary table, through which two-character queries find the trigrams they begin.
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
 * The indexed text ends with U+0001: a two-character match at the very end of a message then still
 * starts a trigram. Query text never holds control characters, so this matches nothing by itself.
 * `room_key` is the room as one trigram of private-use characters made from its rowid (ROOM_KEY),
 * so a search in one room is an AND of two index lookups instead of a walk through every room's
 * matches. Rows are tied by rowid, which VACUUM could renumber; Eddy never runs VACUUM.
 */
async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table message_search using fts5(
    body, room_key, tokenize = 'trigram', content = '', contentless_delete = 1)`.execute(db)
  await sql`create virtual table message_search_terms using fts5vocab(message_search, 'row')`.execute(
    db,
  )
  const indexRow = (row: 'new' | 'm') =>
    sql.raw(`${row}.rowid, ${row}.text || char(1),
      (select ${ROOM_KEY} from rooms r where r.name = ${row}.room)`)
  await sql`create trigger message_search_insert after insert on messages
    when new.type = 'message' and new.deleted_at is null and new.text <> ''
    begin
      insert into message_search (rowid, body, room_key) values (${indexRow('new')});
    end`.execute(db)
  // Only a change of text or deletion touches the index: reactions and previews cost nothing.
  await sql`create trigger message_search_update after update of text, deleted_at on messages
    when new.type = 'message'
    begin
      delete from message_search where rowid = old.rowid;
      insert into message_search (rowid, body, room_key)
        select ${indexRow('new')} where new.deleted_at is null and new.text <> '';
    end`.execute(db)
  await sql`create trigger message_search_delete after delete on messages
    when old.type = 'message'
    begin
      delete from message_search where rowid = old.rowid;
    end`.execute(db)
  await sql`insert into message_search (rowid, body, room_key)
    select ${indexRow('m')} from messages m
    where m.type = 'message' and m.deleted_at is null and m.text <> ''`.execute(db)
}

/**
 * A room's key in the SQLite index, from `r.rowid`: three characters of the private-use area
 * (U+E000-U+F7FF), one trigram, distinct for the first 2^35 rooms. sqlite-search.ts builds the same.
 */
const ROOM_KEY = `char(57344 + r.rowid % 4096, 57344 + r.rowid / 4096 % 4096,
  61440 + r.rowid / 16777216 % 2048)`

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
