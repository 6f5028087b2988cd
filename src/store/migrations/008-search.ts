/**
 * Migration 8 (search): a substring index over messages' current text that every write keeps in
 * step inside its own transaction (docs/search.md).
 * - SQLite: a contentless FTS5 table with the trigram tokenizer, kept by triggers on `messages`
 *   (so appends, group commits, edits, deletes and room deletes all maintain it), plus its
 *   vocabulary table, through which two-character queries find the trigrams they begin.
 * - PostgreSQL: a GIN index over each message's bigrams and trigrams (our own function: pg_trgm
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
 * Rows are tied by rowid, which VACUUM could renumber on this table; Eddy never runs VACUUM.
 */
async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table message_search using fts5(
    body, tokenize = 'trigram', content = '', contentless_delete = 1)`.execute(db)
  await sql`create virtual table message_search_terms using fts5vocab(message_search, 'row')`.execute(
    db,
  )
  await sql`create trigger message_search_insert after insert on messages
    when new.type = 'message' and new.deleted_at is null and new.text <> ''
    begin
      insert into message_search (rowid, body) values (new.rowid, new.text || char(1));
    end`.execute(db)
  // Only a change of text or deletion touches the index: reactions and previews cost nothing.
  await sql`create trigger message_search_update after update of text, deleted_at on messages
    when new.type = 'message'
    begin
      delete from message_search where rowid = old.rowid;
      insert into message_search (rowid, body)
        select new.rowid, new.text || char(1) where new.deleted_at is null and new.text <> '';
    end`.execute(db)
  await sql`create trigger message_search_delete after delete on messages
    when old.type = 'message'
    begin
      delete from message_search where rowid = old.rowid;
    end`.execute(db)
  await sql`insert into message_search (rowid, body)
    select rowid, text || char(1) from messages
    where type = 'message' and deleted_at is null and text <> ''`.execute(db)
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  // Immutable, so an index may use it: the distinct bigrams and trigrams of the lower-cased text.
  await sql`create function eddy_search_grams(body text) returns text[]
    language sql immutable strict parallel safe as $$
      select coalesce(array_agg(distinct g), '{}') from (
        select substr(l, i, n) as g
        from (select lower(body) as l) s,
             (values (2), (3)) as sizes(n),
             generate_series(1, char_length(l) - n + 1) as i
      ) grams
    $$`.execute(db)
  // What a query needs present: its trigrams, or for two characters the one bigram.
  await sql`create function eddy_search_keys(query text) returns text[]
    language sql immutable strict parallel safe as $$
      select coalesce(array_agg(distinct substr(l, i, n)), '{}')
      from (select lower(query) as l, least(char_length(query), 3) as n) s,
           generate_series(1, char_length(l) - n + 1) as i
    $$`.execute(db)
  await sql`create index messages_search on messages using gin (eddy_search_grams(text))
    where type = 'message' and deleted_at is null`.execute(db)
  // Newest first for words so common that reading the newest messages finds a page sooner.
  await sql`create index messages_search_recent on messages (ts, room, seq)
    where type = 'message' and deleted_at is null`.execute(db)
}
