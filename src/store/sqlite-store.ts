/** The embedded default Store: one SQLite file in WAL mode, appends group-committed. */
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { ChatError } from '../domain/errors.js'
import type { Store } from '../domain/ports.js'
import { migrate } from './migrate.js'
import type { Database } from './schema.js'
import { BACKSTOP_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.js'
import { SqliteGroupCommit } from './sqlite-group-commit.js'
import { SqliteChanges } from './sqlite-changes.js'
import { SqliteReads } from './sqlite-reads.js'
import { SqliteSearch } from './sqlite-search.js'
import { searchFileOf, SqliteSearchIndex } from './sqlite-search-index.js'
import { SqlFiles } from './sql-files.js'
import { SqlMembership } from './sql-membership.js'
import { guard, SqlQueries } from './sql-queries.js'

export interface SqliteStoreOptions {
  /** Path of the database file; its directory must exist. */
  readonly file: string
  /** How long a write waits for another process's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number
  /** How soon after an edit or delete the search index purges the old text (sqlite-search-index.ts). */
  readonly searchPurgeDelayMs?: number
  /**
   * Whether a worker thread checkpoints the WAL (default true; see sqlite-checkpointer.ts). Off, the
   * writer's own automatic checkpoint at BACKSTOP_PAGES still bounds the WAL. For short-lived
   * stores that never write enough to need it: the adapter contract turns it off in the cases that
   * are not about checkpoints, because starting and stopping the thread costs 160-400 ms a store.
   */
  readonly checkpointer?: boolean
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const sqlite = await guard(isUniqueViolation, () => Promise.resolve(open(options)))
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  const queries = new SqlQueries(db, 'sqlite', isUniqueViolation)
  const membership = new SqlMembership(db, 'sqlite', isUniqueViolation)
  const files = new SqlFiles(db, 'sqlite', isUniqueViolation)
  const checkpointer =
    sqlite.memory || options.checkpointer === false
      ? undefined
      : new SqliteCheckpointer({
          file: options.file,
          ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
        })
  let appender: SqliteGroupCommit | undefined
  let prepared: SqliteReads | undefined
  let changer: SqliteChanges | undefined
  let searcher: Promise<SqliteSearch> | undefined
  let indexer: SqliteSearchIndex | undefined
  let reader: BetterSqlite3.Database | undefined
  // Statements are prepared against the schema, so they are built after the first migrate.
  const appends = (): SqliteGroupCommit => (appender ??= new SqliteGroupCommit(sqlite))
  const reads = (): SqliteReads => (prepared ??= new SqliteReads(sqlite))
  const changes = (): SqliteChanges => (changer ??= new SqliteChanges(sqlite))
  // The index worker starts after the migration that creates its change queue; searches read
  // through a connection of their own, with the index file attached.
  const startSearch = async (): Promise<SqliteSearch> => {
    const searchFile = searchFileOf(options.file)
    indexer = new SqliteSearchIndex({
      chatFile: options.file,
      searchFile,
      ...(options.searchPurgeDelayMs !== undefined
        ? { purgeDelayMs: options.searchPurgeDelayMs }
        : {}),
      ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    })
    await indexer.ready()
    reader = new BetterSqlite3(options.file, { readonly: true, fileMustExist: true })
    reader.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    reader.prepare('attach database ? as search').run(searchFile)
    return new SqliteSearch(reader, indexer)
  }
  const read = <T>(work: (r: SqliteReads) => T): Promise<T> =>
    guard(isUniqueViolation, () => Promise.resolve(work(reads())))

  return {
    migrate: () =>
      guard(isUniqueViolation, async () => {
        await migrate(db as Kysely<unknown>, 'sqlite')
        appends()
        // An anonymous or in-memory database cannot be shared with the index worker: no search.
        if (!sqlite.memory) await (searcher ??= startSearch())
      }),
    createUser: (user) => queries.createUser(user),
    findUserByName: (username) => queries.findUserByName(username),
    setPasswordHash: (userId, hash) => queries.setPasswordHash(userId, hash),
    setBanned: (userId, bannedAt) => queries.setBanned(userId, bannedAt),
    createSession: (session) => queries.createSession(session),
    findSession: (tokenHash) => read((r) => r.findSession(tokenHash)),
    extendSession: (tokenHash, expiresAt) => queries.extendSession(tokenHash, expiresAt),
    deleteSession: (tokenHash) => queries.deleteSession(tokenHash),
    deleteUserSessions: (userId, except) => queries.deleteUserSessions(userId, except),
    createRoom: (room) => membership.createRoom(room),
    findRoom: (name) => read((r) => r.findRoom(name)),
    listRooms: (page) => queries.listRooms(page),
    countRoomsCreatedBy: (username) => queries.countRoomsCreatedBy(username),
    // Synchronous on the appends' own connection: no group commit can interleave with it.
    deleteRoom: (name) => read((r) => r.deleteRoom(name)),
    listVisibleRooms: (userId, page) => membership.listVisibleRooms(userId, page),
    applyChange: (input) => guard(isUniqueViolation, () => Promise.resolve(changes().apply(input))),
    addMembers: (room, members) => membership.addMembers(room, members),
    findMember: (room, userId) => read((r) => r.findMember(room, userId)),
    listMembers: (room) => membership.listMembers(room),
    myRooms: (userId, username) => membership.myRooms(userId, username),
    markRead: (room, userId, seq) => membership.markRead(room, userId, seq),
    // No guard on the hot path: the appender answers ChatErrors itself; only preparing its
    // statements (before the tables exist) can throw here.
    append: (input) => {
      try {
        return appends().append(input)
      } catch (error) {
        return Promise.reject(new ChatError('store_unavailable', undefined, { cause: error }))
      }
    },
    changeMessage: (input) => {
      try {
        return appends().change(input)
      } catch (error) {
        return Promise.reject(new ChatError('store_unavailable', undefined, { cause: error }))
      }
    },
    findMessage: (room, seq) => read((r) => r.findMessage(room, seq)),
    membersNamed: (room, usernames) => membership.membersNamed(room, usernames),
    messagesAfter: (room, afterSeq, limit) => read((r) => r.messagesAfter(room, afterSeq, limit)),
    messagesBefore: (room, beforeSeq, limit) => queries.messagesBefore(room, beforeSeq, limit),
    lastSeq: (room) => read((r) => r.lastSeq(room)),
    lastSeqs: (rooms) => read((r) => r.lastSeqs(rooms)),
    addPreview: (room, seq, preview) => queries.addPreview(room, seq, preview),
    createFile: (file) => files.createFile(file),
    findFile: (id) => files.findFile(id),
    doomUnattachedFiles: (before) => files.doomUnattachedFiles(before),
    doomedFiles: (limit) => files.doomedFiles(limit),
    purgeFiles: (ids) => files.purgeFiles(ids),
    searchMessages: (query) =>
      guard(isUniqueViolation, async () => {
        if (searcher === undefined) throw new Error('no search index: not migrated, or in memory')
        return (await searcher).search(query)
      }),
    ping: () => queries.ping(),
    async close() {
      appender?.close()
      await checkpointer?.stop()
      await indexer?.stop()
      reader?.close()
      // Kysely's destroy closes the better-sqlite3 handle too.
      if (sqlite.open) await db.destroy()
    },
  }
}

function open(options: SqliteStoreOptions): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(options.file)
  sqlite.pragma('journal_mode = WAL')
  // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the file;
  // a process crash loses nothing acked.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  sqlite.pragma('foreign_keys = ON')
  // A deleted message's text must leave the file, not linger in freed space: SQLite zeroes the
  // bytes that deletes and updates free (docs/security.md). Appends free nothing, so cost nothing.
  sqlite.pragma('secure_delete = ON')
  // The checkpointer thread keeps the WAL short; this is the writer's own fallback.
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
  // Once a checkpoint has caught up, the WAL file shrinks back to this (bytes).
  sqlite.pragma(`journal_size_limit = ${64 * 2 ** 20}`)
  return sqlite
}
