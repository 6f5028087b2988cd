/**
 * Migration 9 (search off the send path, PostgreSQL): the pg_trgm GIN indexes move from `messages`
 * to a table of their own, `message_search`, kept by background indexers from `search_queue`,
 * which triggers fill cheaply in each send's, edit's or delete's transaction (docs/search.md).
 * SQLite: nothing (its index already lives in a file of its own, kept by a worker thread).
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'postgres') await upPostgres(db)
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  const found = await sql<{ schema: string }>`select extnamespace::regnamespace::text as schema
    from pg_extension where extname = 'pg_trgm'`.execute(db)
  const opclass = sql`${sql.id(found.rows[0]?.schema ?? 'public')}.gin_trgm_ops`
  // Both GIN indexes on messages cost a send 2.5 times its time (25.6k → 10.2k appends/s).
  await sql`drop index messages_search`.execute(db)
  await sql`drop index messages_search_pairs`.execute(db)

  // What the indexers have to do, oldest first: a message row was written, edited, deleted or
  // removed. An id is taken while the message row is locked, so one message's entries are in the
  // order of its changes.
  await sql`create table search_queue (
    id bigserial primary key,
    room text not null,
    seq bigint not null)`.execute(db)
  // The text as indexed: lower case, white space written as a letter (U+01C2, which pg_trgm counts
  // as a word character), so a trigram can span a space: pg_trgm indexes words apart, and
  // `吧 the` asked the index for every message with a word starting 吧 and the word "the".
  await sql`create function eddy_search_body(body text) returns text
    language sql immutable strict parallel safe as $$
      select translate(lower(body), E' \\t\\n\\r\\f', 'ǂǂǂǂǂ')
    $$`.execute(db)
  // One row per message ever queued; `body` null: nothing to find (deleted, removed, empty). Such
  // tombstones stay, so that an indexer holding an older queue entry never writes back a text
  // that a newer entry removed: a row is only overwritten by a higher `queue_id`.
  await sql`create table message_search (
    room text not null,
    seq bigint not null,
    queue_id bigint not null,
    body text,
    primary key (room, seq))`.execute(db)

  // Statement-level with a transition table: one trigger call per group commit, not per row. The
  // trigger functions keep the migration's search_path: a change made from a connection with
  // another one (an admin's psql) still queues into this schema's table.
  await sql`create function eddy_search_inserted() returns trigger language plpgsql
    set search_path from current as $$
    begin
      insert into search_queue (room, seq)
        select room, seq from new_rows where type = 'message' and deleted_at is null and text <> '';
      return null;
    end $$`.execute(db)
  await sql`create trigger messages_search_insert after insert on messages
    referencing new table as new_rows
    for each statement execute function eddy_search_inserted()`.execute(db)
  // Edits and deletes are rare: per row, and only when the text or the deletion changes.
  await sql`create function eddy_search_changed() returns trigger language plpgsql
    set search_path from current as $$
    begin
      insert into search_queue (room, seq) values (new.room, new.seq);
      return null;
    end $$`.execute(db)
  await sql`create trigger messages_search_update after update of text, deleted_at on messages
    for each row when (new.type = 'message'
      and (old.text is distinct from new.text or old.deleted_at is distinct from new.deleted_at))
    execute function eddy_search_changed()`.execute(db)
  await sql`create function eddy_search_removed() returns trigger language plpgsql
    set search_path from current as $$
    begin
      insert into search_queue (room, seq)
        select room, seq from old_rows where type = 'message';
      return null;
    end $$`.execute(db)
  await sql`create trigger messages_search_delete after delete on messages
    referencing old table as old_rows
    for each statement execute function eddy_search_removed()`.execute(db)

  // Backfill, in the migration's transaction (the triggers above already queue what comes after).
  await sql`insert into message_search (room, seq, queue_id, body)
    select room, seq, 0, eddy_search_body(text) from messages
    where type = 'message' and deleted_at is null and text <> ''`.execute(db)
  await sql`create index message_search_body on message_search using gin (body ${opclass})
    where body is not null`.execute(db)
  // Two characters: each pair of adjacent characters as a word of its own (migration 8).
  await sql`create index message_search_pairs on message_search
    using gin (eddy_search_pairs(body) ${opclass}) where body is not null`.execute(db)
}
