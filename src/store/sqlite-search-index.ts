/**
 * Keeps SQLite's search index from a worker thread, in a database file of its own, so that
 * indexing never runs on the event loop nor inside a send's transaction (docs/search.md).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { LOWER_PRIORITY_SOURCE } from './thread-priority.js'

/**
 * Trigram indexing costs about 20 µs of CPU per message, as much as the rest of a durable send:
 * inside the group commit it halved SQLite's acked sends per second. Here a worker thread with its
 * own connections reads new rows from the chat database (WAL: readers never block the writer) and
 * writes the index into `searchFile`, whose write lock the chat writer never takes.
 *
 * What it indexes is driven by two marks kept in the index file, so a restart resumes: the highest
 * message rowid indexed, and the last entry read from `search_changes`, the queue the chat
 * database's triggers fill on edits, deletes and removed rows (rare; plain sends add nothing).
 * Searches recheck every hit against the message as it is now (searcher), and first wait for the
 * worker to reach what was committed when they started (`caughtUp`), so a search never shows a
 * deleted or stale text and finds what was acked before it.
 */
export interface SearchIndexProgress {
  /** Every message row up to this rowid is indexed. */
  readonly rowid: number
  /** Every change up to this id of `search_changes` is applied. */
  readonly change: number
  /** The chat table's highest rowid when the worker last looked (rows deleted at the top lower it). */
  readonly top: number
  /** The last wake ticket received before that look. */
  readonly ticket: number
}

export interface SqliteSearchIndexOptions {
  readonly chatFile: string
  readonly searchFile: string
  readonly busyTimeoutMs?: number
  /** How often an idle worker looks for new rows. */
  readonly idleMs?: number
  /**
   * How long after an edit or delete the index is rewritten to purge the old text's trigrams
   * (default one minute; see `purge` in the worker). 0: at once, before the change is reported.
   */
  readonly purgeDelayMs?: number
  /**
   * The worker thread's nice value (Linux; default 10): indexing takes the CPU that sends leave,
   * and a search that finds it behind reads the rest from the chat table (sqlite-search.ts).
   */
  readonly nice?: number
}

/**
 * A room's key in the index, from `r.rowid`: three characters of the private-use area
 * (U+E000-U+F7FF), one trigram, distinct for the first 2^35 rooms. sqlite-search.ts builds the same.
 */
const ROOM_KEY = `char(57344 + r.rowid % 4096, 57344 + r.rowid / 4096 % 4096,
  61440 + r.rowid / 16777216 % 2048)`

/** The index file's layout (its user_version); a file of another one is rebuilt. */
export const LAYOUT = 3

/** At most this many rows and changes per transaction, so a backlog never holds the lock long. */
const BATCH = 2_000

/**
 * An eval'd CommonJS body (as the checkpointer's), so the same code runs from dist/ and from the
 * TypeScript sources in tests. The indexed text ends with U+0001: a two-character match at the very
 * end of a message then still starts a trigram; queries never hold control characters.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
${LOWER_PRIORITY_SOURCE}
lowerPriority(workerData.nice)
const Database = require(workerData.driver)
const db = new Database(workerData.searchFile)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs)
db.pragma('secure_delete = ON')
// The layout's version, in the file's user_version: a file of another layout (0: the first one,
// without a version) is dropped and rebuilt from the chat table (the marks start at 0).
// IMMEDIATE: several processes may open a new file at once, and a read transaction that then
// writes fails at once (SQLITE_BUSY) where a write transaction waits its turn (busy_timeout).
db.transaction(() => {
  if (db.pragma('user_version', { simple: true }) === workerData.layout) return
  db.exec(\`drop table if exists message_search_terms; drop table if exists message_search;
    drop table if exists search_state;\`)
  // Layout 3: detail=full again. Layout 2 (detail=none, a third less CPU per row) left a deleted
  // message's trigram in the file after the purge, one run in three of deleted-text.test.ts.
  db.exec(\`create virtual table message_search using fts5(
      body, room_key, tokenize = 'trigram', content = '', contentless_delete = 1);
    create virtual table message_search_terms using fts5vocab(message_search, 'row');
    create table search_state (id integer primary key check (id = 1),
      message_rowid integer not null, change_id integer not null);
    insert into search_state values (1, 0, 0);
    pragma user_version = \${workerData.layout};\`)
})
  .immediate()
// A deleted message's trigrams leave the index's pages, not only its lookups.
db.prepare("insert into message_search (message_search, rank) values ('secure-delete', 1)").run()
db.prepare('attach database ? as chat').run(workerData.chatFile)
const indexed = (where) => \`insert into message_search (rowid, body, room_key)
  select m.rowid, m.text || char(1), (select \${workerData.roomKey} from chat.rooms r where r.name = m.room)
  from chat.messages m
  where \${where} and m.type = 'message' and m.deleted_at is null and m.text <> ''\`
let statements
function prepare() {
  statements = {
    state: db.prepare('select message_rowid as rowid, change_id as change from search_state'),
    top: db.prepare('select coalesce(max(rowid), 0) as n from chat.messages'),
    range: db.prepare(indexed('m.rowid > ? and m.rowid <= ?')),
    changes: db.prepare('select id, message_rowid as rowid from chat.search_changes where id > ? order by id limit ?'),
    unindex: db.prepare('delete from message_search where rowid = ?'),
    reindex: db.prepare(indexed('m.rowid = ?')),
    save: db.prepare('update search_state set message_rowid = ?, change_id = ?'),
  }
}
// Deferred: the write lock is taken on the index file only; the chat file is only read.
const step = db.transaction(() => {
  const s = statements
  const mark = s.state.get()
  const top = s.top.get().n
  let rowid = mark.rowid
  const upTo = Math.min(top, mark.rowid + workerData.batch)
  if (upTo > rowid) {
    s.range.run(rowid, upTo)
    rowid = upTo
  }
  const changes = s.changes.all(mark.change, workerData.batch)
  for (const change of changes) {
    s.unindex.run(change.rowid)
    if (change.rowid <= rowid) s.reindex.run(change.rowid)
  }
  const change = changes.length > 0 ? changes[changes.length - 1].id : mark.change
  // Rows deleted at the top free their rowids for new rows: the mark never stays above the table.
  rowid = Math.min(rowid, top)
  s.save.run(rowid, change)
  return {
    rowid, change, top, changed: changes.length > 0,
    more: top > rowid || changes.length === workerData.batch,
  }
})
// FTS5 drops a deleted row from its doclists (secure-delete) but keeps a term whose doclist is
// now empty until its segment is rewritten: the trigrams of a deleted or edited text would stay
// in the file, and overlapping trigrams spell the text again. 'optimize' rewrites the index
// (about 2.5 s per 200,000 messages, on this thread), so it runs once after a quiet spell.
let purgeAt = 0
function purge() {
  purgeAt = 0
  db.prepare("insert into message_search (message_search) values ('optimize')").run()
}
let timer
let stopping = false
let last = { rowid: -1, change: -1, ticket: 0 }
// The highest wake ticket received: a step that starts after it reads a snapshot at least as new
// as what the waker saw committed.
let ticket = 0
function run() {
  timer = undefined
  if (stopping) return
  const serving = ticket
  let result
  try {
    if (!statements) prepare()
    result = step()
    if (result.changed && purgeAt === 0) purgeAt = Date.now() + workerData.purgeDelayMs
    if (purgeAt !== 0 && !result.more && Date.now() >= purgeAt) purge()
  } catch {
    // Busy, or the chat tables not migrated yet: the next round prepares again and retries.
    statements = undefined
  }
  if (result && (serving > last.ticket || result.rowid !== last.rowid || result.change !== last.change)) {
    last = { rowid: result.rowid, change: result.change, ticket: serving }
    parentPort.postMessage({ rowid: result.rowid, change: result.change, top: result.top, ticket: serving })
  }
  const idle = purgeAt === 0 ? workerData.idleMs : Math.min(workerData.idleMs, purgeAt - Date.now())
  timer = setTimeout(run, result && result.more ? 0 : Math.max(0, idle))
}
parentPort.on('message', (message) => {
  if (typeof message === 'number' && !stopping) {
    ticket = Math.max(ticket, message)
    if (timer) clearTimeout(timer)
    timer = setTimeout(run, 0)
  }
  if (message !== 'stop' || stopping) return
  stopping = true
  if (timer) clearTimeout(timer)
  db.close()
  parentPort.close()
})
parentPort.postMessage('ready')
run()
`

interface Target {
  readonly rowid: number
  readonly change: number
}

interface Waiter extends Target {
  readonly ticket: number
  readonly done: () => void
}

export class SqliteSearchIndex {
  readonly #worker: Worker
  readonly #ready: Promise<void>
  readonly #exited: Promise<void>
  #progress: SearchIndexProgress = { rowid: 0, change: 0, top: 0, ticket: 0 }
  #tickets = 0
  #waiters: Waiter[] = []
  #failure: Error | undefined

  constructor(options: SqliteSearchIndexOptions) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        chatFile: options.chatFile,
        searchFile: options.searchFile,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
        idleMs: options.idleMs ?? 250,
        purgeDelayMs: options.purgeDelayMs ?? 60_000,
        nice: options.nice ?? 10,
        batch: BATCH,
        layout: LAYOUT,
        roomKey: ROOM_KEY,
      },
    })
    // Held until ready (a caller awaiting it keeps the process alive), then like a timer's unref.
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#worker.once('error', reject)
      this.#worker.on('message', (message: 'ready' | SearchIndexProgress) => {
        if (message === 'ready') return resolve()
        this.#progress = message
        this.#release()
      })
    })
    void this.#ready.then(
      () => this.#worker.unref(),
      () => undefined,
    )
    this.#worker.on('error', (error) => {
      this.#failure = error
      this.#release(true)
    })
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()))
  }

  /** Resolves once the index file is open and its tables exist. */
  ready(): Promise<void> {
    return this.#ready
  }

  get progress(): SearchIndexProgress {
    return this.#progress
  }

  /**
   * Resolves when everything committed up to `target` (the chat table's highest rowid and
   * `search_changes` id when a search began) is in the index; after `timeoutMs` in any case, so a
   * stuck worker slows searches down but never hangs them (the recheck keeps results right).
   */
  caughtUp(target: Target, timeoutMs = 2_000): Promise<void> {
    const p = this.#progress
    // Already indexed past it: nothing to wait for (the common case for a quiet room's search).
    if (this.#failure || (p.rowid >= target.rowid && p.change >= target.change)) {
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      this.#tickets += 1
      this.#waiters.push({ ...target, ticket: this.#tickets, done })
      this.#worker.postMessage(this.#tickets)
      function done() {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  async stop(): Promise<void> {
    this.#release(true)
    // Awaiting the exit must keep the process alive until it comes.
    this.#worker.ref()
    this.#worker.postMessage('stop')
    await this.#exited
  }

  #reached(waiter: Waiter): boolean {
    const p = this.#progress
    // A look that began after the wake saw every row the target counted, unless deleted since:
    // those (above the table's top) can never be reached, the rest must be.
    return (
      p.ticket >= waiter.ticket &&
      p.change >= waiter.change &&
      p.rowid >= Math.min(waiter.rowid, p.top)
    )
  }

  #release(all = false): void {
    const waiting = this.#waiters
    this.#waiters = []
    for (const waiter of waiting) {
      if (all || this.#reached(waiter)) waiter.done()
      else this.#waiters.push(waiter)
    }
  }
}

/** Where the index of `chatFile` lives: beside it, `eddy.sqlite` → `eddy-search.sqlite`. */
export function searchFileOf(chatFile: string): string {
  return chatFile.replace(/(\.[^./]*)?$/, '-search$1')
}
