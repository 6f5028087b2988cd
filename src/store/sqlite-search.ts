/**
 * SQLite search over the trigram index the worker keeps (sqlite-search-index.ts), read through a
 * connection of its own with the index file attached as `search`: three characters or more are a
 * phrase of their trigrams; two characters are the OR of the
 * indexed trigrams that begin with them (read from the index's vocabulary, so still an index
 * lookup). Every hit is rechecked on the message's current text. Hits come newest first by rowid,
 * which FTS5 streams in order, so a page stops reading as soon as it is full. Cursor: the rowid.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { ChatError } from '../domain/errors.js'
import type { SearchHit, SearchQuery } from '../domain/search-port.js'
import type { SqliteSearchIndex } from './sqlite-search-index.js'

interface HitRow {
  room: string
  seq: number
  user: string
  text: string
  ts: number
  id: number
}

/** Beyond this many trigrams a two-character query's OR would cost more than it finds. */
const MAX_TERMS = 2_000

export class SqliteSearch {
  readonly #db: BetterSqlite3.Database
  readonly #terms: BetterSqlite3.Statement<[string, string], { term: string }>
  readonly #statements = new Map<string, BetterSqlite3.Statement<unknown[], HitRow>>()
  readonly #roomId: BetterSqlite3.Statement<[string], { id: number }>
  readonly #committed: BetterSqlite3.Statement<[], { rowid: number; change: number }>
  readonly #index: SqliteSearchIndex

  /** `db` is the reader: the chat database with the index file attached as `search`. */
  constructor(db: BetterSqlite3.Database, index: SqliteSearchIndex) {
    this.#db = db
    this.#index = index
    // The recheck: the same folding as the memory adapter and the highlights (search-highlight.ts).
    db.function('eddy_contains', { deterministic: true }, (text: unknown, needle: unknown) =>
      typeof text === 'string' && typeof needle === 'string' && text.toLowerCase().includes(needle)
        ? 1
        : 0,
    )
    this.#terms = db.prepare(
      `select term from search.message_search_terms where term >= ? and term < ?
        limit ${MAX_TERMS + 1}`,
    )
    this.#roomId = db.prepare('select rowid as id from rooms where name = ?')
    this.#committed = db.prepare(`select
      (select coalesce(max(rowid), 0) from messages) as rowid,
      (select coalesce(max(id), 0) from search_changes) as change`)
  }

  /**
   * Waits for the index to hold everything committed so far (sends acked before the search). If
   * the worker is still behind when the wait gives up (a box so busy that the low-priority worker
   * gets little CPU), the rows it has not reached are read from the chat table instead: a search
   * still finds every acked message and never a stale text, only more slowly.
   */
  async search(query: SearchQuery): Promise<SearchHit[]> {
    const committed = this.#committed.get()
    if (committed === undefined) return this.#search(query, undefined)
    const target = { rowid: Number(committed.rowid), change: Number(committed.change) }
    await this.#index.caughtUp(target)
    const p = this.#index.progress
    // Rows deleted at the top since the search began only make the scan below look at nothing.
    const behind = p.rowid < target.rowid || p.change < target.change
    return this.#search(query, behind ? { rowid: p.rowid, change: p.change } : undefined)
  }

  /** `lag`: how far the index is known to be complete; the rest is scanned. */
  #search(query: SearchQuery, lag: { rowid: number; change: number } | undefined): SearchHit[] {
    const before = query.before === undefined ? undefined : parseRowCursor(query.before)
    const body = this.#match(query.text)
    // Nothing indexed matches; when behind, the unindexed rows may still.
    if (body === undefined && lag === undefined) return []
    let room: number | undefined
    if (query.room !== undefined) {
      room = this.#roomId.get(query.room)?.id
      if (room === undefined) return []
    }
    // The access rule, in the query: a member now, or the one room asked for when public (or any
    // room for a server admin); then the author filter, and every hit confirmed on the text as it
    // is now (the index may be a moment older, see search()).
    const member = 'exists (select 1 from members b where b.room = m.room and b.user_id = ?)'
    const where: string[] = [
      "m.type = 'message'",
      'm.deleted_at is null',
      'eddy_contains(m.text, ?)',
    ]
    const params: unknown[] = [query.text.toLowerCase()]
    if (query.room !== undefined) {
      const open =
        query.anyRoom === true
          ? '1'
          : `exists (select 1 from rooms r where r.name = m.room and r.kind = 'public')`
      where.push('m.room = ?', `(${member} or ${open})`)
      params.push(query.room, query.userId)
    } else {
      where.push(member)
      params.push(query.userId)
    }
    if (query.authorId !== undefined) {
      where.push('m.user_id = ?')
      params.push(query.authorId)
    }
    const rows: HitRow[] = []
    if (body !== undefined) {
      // Not a column filter: a room key could match a body holding the same three private-use
      // characters, which the room filter below then drops.
      let match = `(${body})`
      // Narrows the index walk to the room; the access rule still decides what is read.
      if (room !== undefined) match += ` AND ${phrase(roomKey(Number(room)))}`
      const indexed: string[] = []
      const indexedParams: unknown[] = [match]
      if (before !== undefined) {
        indexed.push('s.rowid < ?')
        indexedParams.push(before)
      }
      if (lag !== undefined) {
        // Only what the index is known to hold as it is now; the rest comes from the scan below.
        indexed.push(
          's.rowid <= ?',
          's.rowid not in (select message_rowid from search_changes where id > ?)',
        )
        indexedParams.push(lag.rowid, lag.change)
      }
      rows.push(
        ...this.#all(
          `select m.room, m.seq, m.username as user, m.text, m.ts, s.rowid as id
          from search.message_search s join messages m on m.rowid = s.rowid
          where s.message_search match ? ${indexed.map((c) => `and ${c} `).join('')}
            and ${where.join(' and ')}
          order by s.rowid desc limit ?`,
          [...indexedParams, ...params, query.limit],
        ),
      )
    }
    if (lag !== undefined) {
      // The rows the worker has not reached, and those changed since it last looked.
      const scanned: string[] = [
        '(m.rowid > ? or m.rowid in (select message_rowid from search_changes where id > ?))',
      ]
      const scannedParams: unknown[] = [lag.rowid, lag.change]
      if (before !== undefined) {
        scanned.push('m.rowid < ?')
        scannedParams.push(before)
      }
      rows.push(
        ...this.#all(
          `select m.room, m.seq, m.username as user, m.text, m.ts, m.rowid as id
          from messages m where ${scanned.join(' and ')} and ${where.join(' and ')}
          order by m.rowid desc limit ?`,
          [...scannedParams, ...params, query.limit],
        ),
      )
      rows.sort((a, b) => Number(b.id) - Number(a.id))
    }
    return rows.slice(0, query.limit).map((row) => ({
      room: row.room,
      seq: Number(row.seq),
      user: row.user,
      text: row.text,
      ts: Number(row.ts),
      cursor: String(row.id),
    }))
  }

  #all(sql: string, params: unknown[]): HitRow[] {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], HitRow>(sql)
      this.#statements.set(sql, statement)
    }
    return statement.all(...params)
  }

  /** The FTS5 expression for `text`, every character literal; undefined: nothing can match. */
  #match(text: string): string | undefined {
    // The tokenizer folds case itself; the vocabulary holds folded trigrams.
    const chars = [...text]
    // The whole text as one phrase: the tokenizer makes it its trigrams, in a row.
    if (chars.length >= 3) return phrase(text)
    const prefix = text.toLowerCase()
    const terms = this.#terms.all(prefix, `${prefix}\u{10ffff}`).map((row) => row.term)
    if (terms.length === 0) return undefined
    if (terms.length > MAX_TERMS) {
      throw new ChatError('invalid_request', 'q: too common to search for; add a character')
    }
    return terms.map(phrase).join(' OR ')
  }
}

/** An FTS5 string: inside double quotes every character is literal, a quote is doubled. */
function phrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/** The room's trigram in the index: ROOM_KEY of sqlite-search-index.ts, computed the same way. */
function roomKey(id: number): string {
  return String.fromCharCode(
    0xe000 + (id % 4096),
    0xe000 + (Math.floor(id / 4096) % 4096),
    0xf000 + (Math.floor(id / 16_777_216) % 2048),
  )
}

function parseRowCursor(cursor: string): number {
  const id = /^\d{1,16}$/.test(cursor) ? Number(cursor) : Number.NaN
  if (!Number.isSafeInteger(id)) {
    throw new ChatError('invalid_request', 'before: not a cursor this server made')
  }
  return id
}
