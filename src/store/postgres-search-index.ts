/**
 * Keeps PostgreSQL's search table (`message_search`, migration 9) from `search_queue`, off the
 * send path: a background indexer per node, and every search first applies what it can of what
 * was queued before it began (docs/search.md).
 */
import type pg from 'pg'

/**
 * One round of indexing, one statement (so one snapshot): claims up to `batch` queue entries up to
 * `upTo`, oldest first, deletes them, and writes each claimed message's current text (or a
 * tombstone, `body` null) into `message_search`. The messages are read in the same snapshot that
 * saw the entries committed, so what is written is at least as new as every claimed change.
 *
 * Several indexers (nodes, searches) run at once; an older entry's round may finish after a newer
 * one's, so a row is only overwritten by a higher queue id (one message's entries are numbered in
 * the order of its changes: each takes its id while holding the message row's lock). Rows are
 * written in key order, so two rounds never wait on each other in a cycle.
 *
 * `skip locked`: entries another round holds are left to it.
 */
const DRAIN = `with claimed as (
      delete from search_queue q where q.id in (
        select id from search_queue where id <= $1 order by id limit $2
        for update skip locked)
      returning q.id, q.room, q.seq),
    latest as (select room, seq, max(id) as queue_id from claimed group by room, seq),
    current as (
      select l.room, l.seq, l.queue_id,
        case when m.type = 'message' and m.deleted_at is null and m.text <> ''
          then eddy_search_body(m.text) end as body
      from latest l left join messages m on m.room = l.room and m.seq = l.seq),
    written as (
      insert into message_search as s (room, seq, queue_id, body)
      select room, seq, queue_id, body from current order by room, seq
      on conflict (room, seq) do update set queue_id = excluded.queue_id, body = excluded.body
        where s.queue_id < excluded.queue_id
      returning 1)
    select (select count(*) from claimed)::int as claimed`

/**
 * Deletes up to `$1` tombstones that no queued change needs any more. A tombstone exists to stop a
 * round holding an older entry of its message from writing that entry's text back; such an entry
 * stays visible in `search_queue` until the round that claimed it commits (its delete is not
 * visible before), and a message's entries are numbered in the order of its changes, so with none
 * left for the message, nothing older can come. `skip locked`: a row a round is writing right now
 * waits for the next prune.
 */
const PRUNE = `with doomed as (
    select s.room, s.seq from message_search s
    where s.body is null
      and not exists (select 1 from search_queue q where q.room = s.room and q.seq = s.seq)
    limit $1
    for update of s skip locked)
  delete from message_search s using doomed d
  where s.room = d.room and s.seq = d.seq and s.body is null`

/** Beyond any queue id: the background indexer takes whatever is there. */
const ALL = '9223372036854775807'

export interface PostgresSearchIndexOptions {
  /** How often an idle indexer looks for new entries (default 250 ms). */
  readonly idleMs?: number
  /** Queue entries per round (default 2,000). */
  readonly batch?: number
  /** How often the indexer prunes tombstones, when idle (default 60 s). */
  readonly pruneIntervalMs?: number
  /** Told when a background round fails (it retries after `idleMs`); for logging. */
  readonly onError?: (error: Error) => void
}

export class PostgresSearchIndex {
  readonly #pool: pg.Pool
  readonly #idleMs: number
  readonly #batch: number
  readonly #onError: ((error: Error) => void) | undefined
  readonly #pruneIntervalMs: number
  #prunedAt = Number.NEGATIVE_INFINITY
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(pool: pg.Pool, options: PostgresSearchIndexOptions = {}) {
    this.#pool = pool
    this.#idleMs = options.idleMs ?? 250
    this.#batch = options.batch ?? 2_000
    this.#onError = options.onError
    this.#pruneIntervalMs = options.pruneIntervalMs ?? 60_000
  }

  /** Starts the background indexer (after the migration that creates its tables). */
  start(): void {
    if (this.#stopped || this.#timer !== undefined || this.#running !== undefined) return
    this.#schedule(0)
  }

  /**
   * Applies the queue entries committed before the call that no other round holds, for up to
   * `budgetMs`, so that a search that follows has less to read from `messages` (it reads whatever
   * is still queued there, postgres-search.ts); concurrent searches and indexers share the work. A
   * backlog larger than the budget is left to the background indexer.
   */
  async caughtUp(budgetMs = 1_000): Promise<void> {
    const top = await this.#pool.query<{ id: string | null }>(
      'select max(id)::text as id from search_queue',
    )
    const upTo = top.rows[0]?.id
    if (upTo === null || upTo === undefined) return
    const deadline = Date.now() + budgetMs
    while (Date.now() < deadline && (await this.#round(DRAIN, upTo)) > 0) {
      // Free entries only: the ones another round holds are read from `messages` by the search.
    }
  }

  /**
   * Deletes the tombstones no queued change needs any more, `batch` at a time; resolves with how
   * many went. The background indexer calls it when idle, every `pruneIntervalMs`.
   */
  async prune(): Promise<number> {
    let pruned = 0
    for (;;) {
      const { rowCount } = await this.#pool.query(PRUNE, [this.#batch])
      pruned += rowCount ?? 0
      if ((rowCount ?? 0) < this.#batch) return pruned
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  async #round(statement: string, upTo: string): Promise<number> {
    const result = await this.#pool.query<{ claimed: number }>(statement, [upTo, this.#batch])
    return result.rows[0]?.claimed ?? 0
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#running = this.#run().finally(() => {
        this.#running = undefined
      })
    }, ms)
    // Housekeeping: never keeps the process alive on its own.
    this.#timer.unref()
  }

  async #run(): Promise<void> {
    let full = false
    try {
      full = (await this.#round(DRAIN, ALL)) === this.#batch
      if (!full && Date.now() - this.#prunedAt >= this.#pruneIntervalMs) {
        this.#prunedAt = Date.now()
        await this.prune()
      }
    } catch (error) {
      // Not migrated yet, a restart of the server, a timeout: the next round retries.
      if (!this.#stopped) this.#onError?.(error as Error)
    }
    this.#schedule(full ? 0 : this.#idleMs)
  }
}
