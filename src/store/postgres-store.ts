/** The scale-out Store: PostgreSQL through pg + kysely, appends group-committed per batch. */
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Store } from '../domain/ports.js'
import { migrate } from './migrate.js'
import { PostgresGroupCommit } from './postgres-group-commit.js'
import { searchPostgres } from './postgres-search.js'
import { PostgresSearchIndex } from './postgres-search-index.js'
import type { Database } from './schema.js'
import { SqlFiles } from './sql-files.js'
import { SqlMembership } from './sql-membership.js'
import { guard, SqlQueries } from './sql-queries.js'

export interface PostgresStoreOptions {
  readonly url: string
  /** Tables live in this schema (created by migrate); default: the server's search_path. */
  readonly schema?: string
  readonly poolMax?: number
  readonly connectionTimeoutMs?: number
  readonly statementTimeoutMs?: number
  /** Shown in pg_stat_activity (default 'eddy'). */
  readonly applicationName?: string
  /**
   * How many of the newest readable messages a search reads before it asks the indexes
   * (postgres-search.ts); tests make it tiny so the index step runs on little data.
   */
  readonly searchWindow?: number
  /** Told when an idle pooled connection breaks (the pool replaces it); for logging. */
  readonly onConnectionError?: (error: Error) => void
  /** Told when a background search indexing round fails (it retries); for logging. */
  readonly onSearchIndexError?: (error: Error) => void
  /** How often the idle background indexer looks for work (PostgresSearchIndexOptions.idleMs). */
  readonly searchIndexIdleMs?: number
}

const INT8_OID = 20

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505'
}

export function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  // The name goes into a connection option and DDL unquoted, so it must be a plain identifier.
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    return Promise.reject(new TypeError(`Invalid schema name ${JSON.stringify(options.schema)}`))
  }
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'eddy',
    // pg's defaults wait forever on a hung server; a chat send should fail fast instead.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 2_000,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    types: int8AsNumber(),
  })
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => options.onConnectionError?.(error))
  // The pool only listens for errors on idle clients; a connection that breaks while checked out
  // also emits 'error', which would crash the process unheard. Its query rejects anyway.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error))
  })

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const queries = new SqlQueries(db, 'postgres', isUniqueViolation)
  const membership = new SqlMembership(db, 'postgres', isUniqueViolation)
  const files = new SqlFiles(db, 'postgres', isUniqueViolation)
  const appender = new PostgresGroupCommit(pool)
  // Fills message_search from search_queue off the send path (postgres-search-index.ts).
  const searchIndex = new PostgresSearchIndex(pool, {
    ...(options.onSearchIndexError === undefined ? {} : { onError: options.onSearchIndexError }),
    ...(options.searchIndexIdleMs === undefined ? {} : { idleMs: options.searchIndexIdleMs }),
  })
  let closed = false

  return Promise.resolve({
    migrate: async () => {
      await guard(isUniqueViolation, () =>
        migrate(db as Kysely<unknown>, 'postgres', options.schema),
      )
      if (!closed) searchIndex.start()
    },
    createUser: (user) => queries.createUser(user),
    findUserByName: (username) => queries.findUserByName(username),
    setPasswordHash: (userId, hash) => queries.setPasswordHash(userId, hash),
    setBanned: (userId, bannedAt) => queries.setBanned(userId, bannedAt),
    createSession: (session) => queries.createSession(session),
    findSession: (tokenHash) => queries.findSession(tokenHash),
    extendSession: (tokenHash, expiresAt) => queries.extendSession(tokenHash, expiresAt),
    deleteSession: (tokenHash) => queries.deleteSession(tokenHash),
    deleteUserSessions: (userId, except) => queries.deleteUserSessions(userId, except),
    createRoom: (room) => membership.createRoom(room),
    findRoom: (name) => queries.findRoom(name),
    listRooms: (page) => queries.listRooms(page),
    countRoomsCreatedBy: (username) => queries.countRoomsCreatedBy(username),
    deleteRoom: (name) => queries.deleteRoomLocked(name),
    listVisibleRooms: (userId, page) => membership.listVisibleRooms(userId, page),
    applyChange: (input) => membership.applyChange(input),
    addMembers: (room, members) => membership.addMembers(room, members),
    findMember: (room, userId) => membership.findMember(room, userId),
    listMembers: (room) => membership.listMembers(room),
    myRooms: (userId, username) => membership.myRooms(userId, username),
    markRead: (room, userId, seq) => membership.markRead(room, userId, seq),
    append: (input) => appender.append(input),
    changeMessage: (input) => appender.change(input),
    findMessage: (room, seq) => queries.findMessage(room, seq),
    membersNamed: (room, usernames) => membership.membersNamed(room, usernames),
    messagesAfter: (room, afterSeq, limit) => queries.messagesAfter(room, afterSeq, limit),
    messagesBefore: (room, beforeSeq, limit) => queries.messagesBefore(room, beforeSeq, limit),
    lastSeq: (room) => queries.lastSeq(room),
    lastSeqs: (rooms) => queries.lastSeqs(rooms),
    addPreview: (room, seq, preview) => queries.addPreview(room, seq, preview),
    createFile: (file) => files.createFile(file),
    findFile: (id) => files.findFile(id),
    doomUnattachedFiles: (before) => files.doomUnattachedFiles(before),
    doomedFiles: (limit) => files.doomedFiles(limit),
    purgeFiles: (ids) => files.purgeFiles(ids),
    searchMessages: (query) =>
      guard(isUniqueViolation, async () => {
        // Everything queued before the search (acked sends, edits, deletes) is indexed first.
        await searchIndex.caughtUp()
        return searchPostgres(db, query, options.searchWindow)
      }),
    ping: () => queries.ping(),
    async close() {
      if (closed) return
      closed = true
      await searchIndex.stop()
      await appender.close()
      // Kysely's destroy ends the pool.
      await db.destroy()
    },
  })
}

/** Times and seqs are bigint columns; every value fits a JS number exactly (< 2^53). */
function int8AsNumber(): pg.TypeOverrides {
  const types = new pg.TypeOverrides()
  types.setTypeParser(INT8_OID, 'text', (value: string) => Number(value))
  return types
}
