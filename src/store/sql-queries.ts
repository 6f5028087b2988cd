/** The Store's ordinary (non-append) queries, shared by the SQLite and PostgreSQL adapters. */
import { sql, type Kysely } from 'kysely'
import { ChatError, isChatError } from '../domain/errors.js'
import type {
  FoundSession,
  RoomPage,
  RoomRecord,
  SessionRecord,
  StoredMessage,
  StoredUser,
  UserRecord,
} from '../domain/ports.js'
import type { LinkPreview, RoomLogEvent, TimelineMessage } from '../protocol/frames.js'
import type { SqlDialect } from './migrations/index.js'
import { isRowError } from './row-errors.js'
import {
  LOG_COLUMNS,
  STORED_MESSAGE_COLUMNS,
  toLogEvent,
  toStoredMessage,
  type Database,
  type RoomsTable,
} from './schema.js'
import { TIMELINE_SELECT, toTimelineMessage, type TimelineRow } from './timeline.js'

/** Runs `work`, turning engine failures into ChatErrors; `onUnique` names a unique-key clash. */
export async function guard<T>(
  isUniqueViolation: (error: unknown) => boolean,
  work: () => Promise<T>,
  onUnique?: ChatError['code'],
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isChatError(error)) throw error
    if (onUnique !== undefined && isUniqueViolation(error)) throw new ChatError(onUnique)
    // A value the engine refuses (U+0000 in a name) is the caller's to fix, not a storage outage.
    if (isRowError(error)) throw new ChatError('unstorable', undefined, { cause: error })
    throw new ChatError('store_unavailable', undefined, { cause: error })
  }
}

export class SqlQueries {
  readonly #db: Kysely<Database>
  readonly #dialect: SqlDialect
  readonly #isUniqueViolation: (error: unknown) => boolean

  constructor(
    db: Kysely<Database>,
    dialect: SqlDialect,
    isUniqueViolation: (error: unknown) => boolean,
  ) {
    this.#db = db
    this.#dialect = dialect
    this.#isUniqueViolation = isUniqueViolation
  }

  #run<T>(work: () => Promise<T>, onUnique?: ChatError['code']): Promise<T> {
    return guard(this.#isUniqueViolation, work, onUnique)
  }

  createUser(user: UserRecord): Promise<void> {
    return this.#run(async () => {
      await this.#db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          username_key: user.username.toLowerCase(),
          password_hash: user.passwordHash,
          created_at: user.createdAt,
        })
        .execute()
    }, 'username_taken')
  }

  findUserByName(username: string): Promise<StoredUser | undefined> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash', 'created_at', 'banned_at'])
        .where('username_key', '=', username.toLowerCase())
        .executeTakeFirst()
      return row === undefined
        ? undefined
        : {
            id: row.id,
            username: row.username,
            passwordHash: row.password_hash,
            createdAt: Number(row.created_at),
            bannedAt: row.banned_at === null ? null : Number(row.banned_at),
          }
    })
  }

  setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    return this.#run(async () => {
      await this.#db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', userId)
        .execute()
    })
  }

  setBanned(userId: string, bannedAt: number | null): Promise<void> {
    return this.#run(async () => {
      await this.#db
        .updateTable('users')
        .set({ banned_at: bannedAt })
        .where('id', '=', userId)
        .execute()
    })
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.#run(async () => {
      await this.#db
        .insertInto('sessions')
        .values({
          token_hash: session.tokenHash,
          user_id: session.userId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute()
    })
  }

  findSession(tokenHash: string): Promise<FoundSession | undefined> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.token_hash',
          'sessions.user_id',
          'users.username',
          'sessions.created_at',
          'sessions.expires_at',
          'users.banned_at',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst()
      return row === undefined ? undefined : toSessionRecord(row)
    })
  }

  extendSession(tokenHash: string, expiresAt: number): Promise<void> {
    return this.#run(async () => {
      await this.#db
        .updateTable('sessions')
        .set({ expires_at: expiresAt })
        .where('token_hash', '=', tokenHash)
        .execute()
    })
  }

  deleteSession(tokenHash: string): Promise<void> {
    return this.#run(async () => {
      await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute()
    })
  }

  deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<void> {
    return this.#run(async () => {
      let query = this.#db.deleteFrom('sessions').where('user_id', '=', userId)
      if (exceptTokenHash !== undefined) query = query.where('token_hash', '!=', exceptTokenHash)
      await query.execute()
    })
  }

  findRoom(name: string): Promise<RoomRecord | undefined> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('rooms')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst()
      return row === undefined ? undefined : toRoomRecord(row)
    })
  }

  listRooms(page: RoomPage = {}): Promise<RoomRecord[]> {
    return this.#run(async () => {
      let query = this.#db.selectFrom('rooms').selectAll().orderBy('name')
      if (page.after !== undefined) query = query.where('name', '>', page.after)
      if (page.limit !== undefined) query = query.limit(page.limit)
      const rows = await query.execute()
      return rows.map(toRoomRecord)
    })
  }

  countRoomsCreatedBy(username: string): Promise<number> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('rooms')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('created_by', '=', username)
        .executeTakeFirst()
      return Number(row?.count ?? 0)
    })
  }

  /**
   * PostgreSQL: the room's row is locked first, as appends lock it (postgres-group-commit.ts), so
   * a racing batch either committed before (its rows go too) or finds no room afterwards.
   * Not for SQLite, whose appends share the connection (sqlite-store.ts deletes synchronously).
   */
  deleteRoomLocked(name: string): Promise<boolean> {
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        const locked = await sql`select name from rooms where name = ${name} for update`.execute(
          trx,
        )
        if (locked.rows.length === 0) return false
        await trx.deleteFrom('messages').where('room', '=', name).execute()
        await trx.deleteFrom('members').where('room', '=', name).execute()
        // The room's files go with it: doomed here, their blobs deleted by the janitor.
        await trx
          .updateTable('files')
          .set({ doomed_at: Date.now() })
          .where('room', '=', name)
          .where('doomed_at', 'is', null)
          .execute()
        await trx.deleteFrom('rooms').where('name', '=', name).execute()
        return true
      }),
    )
  }

  messagesAfter(room: string, afterSeq: number, limit: number): Promise<RoomLogEvent[]> {
    return this.#run(async () => {
      const rows = await this.#db
        .selectFrom('messages')
        .select(LOG_COLUMNS)
        .where('room', '=', room)
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute()
      return rows.map(toLogEvent)
    })
  }

  messagesBefore(
    room: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<TimelineMessage[]> {
    return this.#run(async () => {
      const before = beforeSeq === undefined ? sql`` : sql`and m.seq < ${beforeSeq}`
      const { rows } = await sql<TimelineRow>`${TIMELINE_SELECT}
        where m.room = ${room} and m.type = 'message' ${before}
        order by m.seq desc limit ${limit}`.execute(this.#db)
      return rows.map(toTimelineMessage)
    })
  }

  findMessage(room: string, seq: number): Promise<StoredMessage | undefined> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('messages')
        .select(STORED_MESSAGE_COLUMNS)
        .where('room', '=', room)
        .where('seq', '=', seq)
        .where('type', '=', 'message')
        .executeTakeFirst()
      return row === undefined ? undefined : toStoredMessage(row)
    })
  }

  lastSeq(room: string): Promise<number> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('rooms')
        .select('last_seq')
        .where('name', '=', room)
        .executeTakeFirst()
      if (row === undefined) throw new ChatError('room_not_found')
      return Number(row.last_seq)
    })
  }

  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    return this.#run(async () => {
      if (rooms.length === 0) return new Map<string, number>()
      const rows = await this.#db
        .selectFrom('rooms')
        .select(['name', 'last_seq'])
        .where('name', 'in', rooms)
        .execute()
      return new Map(rows.map((row) => [row.name, Number(row.last_seq)]))
    })
  }

  addPreview(room: string, seq: number, preview: LinkPreview): Promise<boolean> {
    return this.#run(async () => {
      const item = JSON.stringify(preview)
      // One statement appends to the array, so two previews for one message never overwrite each other.
      const previews =
        this.#dialect === 'postgres'
          ? sql`coalesce(previews, '[]'::jsonb) || jsonb_build_array(${item}::jsonb)`
          : sql`json_insert(coalesce(previews, '[]'), '$[#]', json(${item}))`
      // A deleted message takes no preview: its links went with its text.
      const result = await this.#db
        .updateTable('messages')
        .set({ previews })
        .where('room', '=', room)
        .where('seq', '=', seq)
        .where('type', '=', 'message')
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
  }

  ping(): Promise<void> {
    return this.#run(async () => {
      await sql`select 1`.execute(this.#db)
    })
  }
}

export interface SessionRow {
  token_hash: string
  user_id: string
  username: string
  created_at: number | string
  expires_at: number | string
  banned_at: number | string | null
}

export function toSessionRecord(row: SessionRow): FoundSession {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    username: row.username,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    bannedAt: row.banned_at === null ? null : Number(row.banned_at),
  }
}

export function toRoomRecord(row: RoomsTable): RoomRecord {
  return {
    name: row.name,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    lastSeq: Number(row.last_seq),
    kind: row.kind,
    topic: row.topic,
  }
}
