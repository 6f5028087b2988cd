/**
 * PostgreSQL search over migration 8's pg_trgm indexes: ILIKE on the text for three characters
 * or more, LIKE on the character pairs for two (LIKE's own characters escaped, so every character
 * is literal); `strpos` on the lower-cased text confirms the substring. The planner may instead
 * walk the recency index newest first when a word is common. Cursor: the hit's (ts, room, seq).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { SearchHit, SearchQuery } from '../domain/search-port.js'
import type { Database } from './schema.js'
import { parseTimeCursor, timeCursor } from './search-cursor.js'

interface HitRow {
  room: string
  seq: number
  user: string
  text: string
  ts: number
}

export async function searchPostgres(
  db: Kysely<Database>,
  query: SearchQuery,
): Promise<SearchHit[]> {
  const filters: RawBuilder<unknown>[] = []
  if (query.before !== undefined) {
    const before = parseTimeCursor(query.before)
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
  const result = await sql<HitRow>`
    select m.room, m.seq, m.username as "user", m.text, m.ts
    from messages m
    where m.type = 'message' and m.deleted_at is null
      and ${matches(query.text)}
      and strpos(lower(m.text), lower(${query.text})) > 0
      and ${sql.join(filters, sql` and `)}
    order by m.ts desc, m.room desc, m.seq desc
    limit ${query.limit}`.execute(db)
  return result.rows.map((row) => {
    const hit = { room: row.room, seq: Number(row.seq), ts: Number(row.ts) }
    return { ...hit, user: row.user, text: row.text, cursor: timeCursor(hit) }
  })
}

/** `%`, `_` and the escape character itself, escaped: LIKE then matches the text literally. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}

function matches(text: string): RawBuilder<unknown> {
  if ([...text].length >= 3) return sql`m.text ilike ${`%${literal(text)}%`}`
  // A pair is a word of its own in eddy_search_pairs (migration 8), spaces on both sides.
  return sql`eddy_search_pairs(m.text) like ('% ' || lower(${literal(text)}) || ' %')`
}
