/**
 * PostgreSQL search over the indexes of `message_search` (migration 9; kept by
 * postgres-search-index.ts, which a search first lets catch up), in two steps so that neither a common nor a rare
 * word costs much (the planner cannot estimate substring patterns, so the plan is chosen here):
 * 1. the newest RECENT_WINDOW messages the asker may read, read newest first through the recency
 *    index and checked with `strpos`: a word that is at all common fills the page here;
 * 2. if the page is not full, the older rest through the pg_trgm GIN indexes (LIKE on the
 *    indexed body for three characters or more, on its character pairs for two, LIKE's own
 *    characters escaped), joined to the message as it is now, sorted newest first.
 * `strpos` on the lower-cased text confirms every hit. Messages whose change is still queued for
 * the index are read from `messages` in step 2 as well, so a search is complete and current however
 * far behind the indexers are. Cursor: the hit's (ts, room, seq).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { SearchHit, SearchQuery } from '../domain/search-port.js'
import type { Database } from './schema.js'
import { parseTimeCursor, timeCursor, type TimeCursor } from './search-cursor.js'

interface HitRow {
  room: string
  seq: number
  user: string
  text: string
  ts: number
}

/** Messages read newest first before the indexes are asked (a few ms: bench/search-corpus.ts). */
const RECENT_WINDOW = 2_000

export async function searchPostgres(
  db: Kysely<Database>,
  query: SearchQuery,
  window = RECENT_WINDOW,
): Promise<SearchHit[]> {
  const before = query.before === undefined ? undefined : parseTimeCursor(query.before)
  const needle = sql`strpos(lower(m.text), lower(${query.text})) > 0`
  const recent = await sql<HitRow & { edge: boolean; scanned: number }>`
    with recent as materialized (
      select m.room, m.seq, m.username as "user", m.text, m.ts from messages m
      where ${readable(query, before)}
      order by m.ts desc, m.room desc, m.seq desc
      limit ${window}
    )
    (select m.*, false as edge, 0 as scanned from recent m where ${needle}
      order by m.ts desc, m.room desc, m.seq desc limit ${query.limit})
    union all
    (select m.room, m.seq, '', '', m.ts, true, (select count(*) from recent)::int from recent m
      order by m.ts, m.room, m.seq limit 1)`.execute(db)
  const hits = recent.rows.filter((row) => !row.edge)
  const edge = recent.rows.find((row) => row.edge)
  if (hits.length >= query.limit || edge === undefined || edge.scanned < window) {
    return hits.map(toHit)
  }
  const olderThanEdge = readable(query, {
    ts: Number(edge.ts),
    room: edge.room,
    seq: Number(edge.seq),
  })
  // The messages still queued for the index are read as they are now: a search does not wait
  // for a backlog (an indexer that was down, a bulk import) to be indexed first.
  const older = await sql<HitRow>`
    (select m.room, m.seq, m.username as "user", m.text, m.ts
      from message_search s join messages m on m.room = s.room and m.seq = s.seq
      where ${matches(query.text)} ${query.room === undefined ? sql`` : sql`and s.room = ${query.room}`}
        and ${olderThanEdge} and ${needle})
    union
    (select m.room, m.seq, m.username as "user", m.text, m.ts
      from messages m
      where (m.room, m.seq) in (select q.room, q.seq from search_queue q)
        and ${olderThanEdge} and ${needle})
    order by ts desc, room desc, seq desc
    limit ${query.limit - hits.length}`.execute(db)
  return [...hits, ...older.rows].map(toHit)
}

/** Messages not deleted, older than `before`, that the asker may read now, by the filters. */
function readable(query: SearchQuery, before: TimeCursor | undefined): RawBuilder<unknown> {
  const filters: RawBuilder<unknown>[] = [sql`m.type = 'message'`, sql`m.deleted_at is null`]
  if (before !== undefined) {
    filters.push(sql`(m.ts, m.room, m.seq) < (${before.ts}, ${before.room}, ${before.seq})`)
  }
  // The access rule, in the query: a member now, or the one room asked for when public (or any
  // room for a server admin).
  const member = sql`exists (select 1 from members b where b.room = m.room and b.user_id = ${query.userId})`
  if (query.room !== undefined) {
    const open =
      query.anyRoom === true
        ? sql`true`
        : sql`exists (select 1 from rooms r where r.name = m.room and r.kind = 'public')`
    filters.push(sql`m.room = ${query.room}`, sql`(${member} or ${open})`)
  } else {
    filters.push(member)
  }
  if (query.authorId !== undefined) filters.push(sql`m.user_id = ${query.authorId}`)
  return sql.join(filters, sql` and `)
}

function toHit(row: HitRow): SearchHit {
  const hit = { room: row.room, seq: Number(row.seq), ts: Number(row.ts) }
  return { ...hit, user: row.user, text: row.text, cursor: timeCursor(hit) }
}

/** `%`, `_` and the escape character itself, escaped: LIKE then matches the text literally. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}

function matches(text: string): RawBuilder<unknown> {
  // `body` is the text as eddy_search_body (migration 9) writes it; the query goes through it too.
  const body = sql`eddy_search_body(${literal(text)})`
  if ([...text].length >= 3) return sql`s.body like ('%' || ${body} || '%')`
  // A pair is a word of its own in eddy_search_pairs (migration 8), spaces on both sides.
  return sql`eddy_search_pairs(s.body) like ('% ' || ${body} || ' %')`
}
