/** Rooms with members, read marks and membership changes: the queries both SQL stores share. */
import { sql, type Kysely } from 'kysely'
import { ChatError } from '../domain/errors.js'
import type {
  ChangeInput,
  MemberRecord,
  MyRoomRecord,
  NewRoom,
  RoomRecord,
  Store,
  RoomPage,
} from '../domain/ports.js'
import type { Role, RoomKind, RoomLogEvent } from '../protocol/frames.js'
import type { SqlDialect } from './migrations/index.js'
import { ROOM_MENTION } from '../domain/mentions.js'
import { changeEvent, plan } from './room-change.js'
import { eventData, type Database } from './schema.js'
import { guard, toRoomRecord } from './sql-queries.js'

type MembershipStore = Pick<
  Store,
  | 'createRoom'
  | 'listVisibleRooms'
  | 'addMembers'
  | 'findMember'
  | 'listMembers'
  | 'myRooms'
  | 'markRead'
  | 'membersNamed'
>

export class SqlMembership implements MembershipStore {
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

  createRoom(room: NewRoom): Promise<RoomRecord> {
    return this.#run(
      () =>
        this.#db.transaction().execute(async (trx) => {
          const { members, createdAt, createdBy, ...rest } = room
          await trx
            .insertInto('rooms')
            .values({ ...rest, created_at: createdAt, created_by: createdBy, last_seq: 0 })
            .execute()
          if (members.length > 0) {
            await trx
              .insertInto('members')
              .values(
                members.map((m) => ({
                  room: room.name,
                  user_id: m.userId,
                  role: m.role,
                  read_seq: 0,
                  joined_at: createdAt,
                })),
              )
              .execute()
          }
          return {
            name: room.name,
            createdAt,
            createdBy,
            lastSeq: 0,
            kind: room.kind,
            topic: room.topic,
          }
        }),
      'room_exists',
    )
  }

  listVisibleRooms(userId: string, page: RoomPage = {}): Promise<RoomRecord[]> {
    return this.#run(async () => {
      let query = this.#db
        .selectFrom('rooms')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('kind', '=', 'public'),
            eb.exists(
              eb
                .selectFrom('members')
                .select('members.room')
                .whereRef('members.room', '=', 'rooms.name')
                .where('members.user_id', '=', userId),
            ),
          ]),
        )
        .orderBy('name')
      if (page.after !== undefined) query = query.where('name', '>', page.after)
      if (page.limit !== undefined) query = query.limit(page.limit)
      const rows = await query.execute()
      return rows.map(toRoomRecord)
    })
  }

  addMembers(room: string, members: ReadonlyArray<{ userId: string; role: Role }>): Promise<void> {
    return this.#run(async () => {
      for (const member of members) {
        // Joined now: what the room held before counts as read.
        await sql`insert into members (room, user_id, role, read_seq, joined_at)
          select name, ${member.userId}, ${member.role}, last_seq, ${Date.now()}
          from rooms where name = ${room}
          on conflict (room, user_id) do nothing`.execute(this.#db)
      }
    })
  }

  findMember(room: string, userId: string): Promise<MemberRecord | undefined> {
    return this.#run(async () => {
      const row = await this.#memberRows(room)
        .where('members.user_id', '=', userId)
        .executeTakeFirst()
      return row === undefined ? undefined : toMemberRecord(row)
    })
  }

  listMembers(room: string): Promise<MemberRecord[]> {
    return this.#run(async () => {
      const rows = await this.#memberRows(room).orderBy('users.username_key').execute()
      return rows.map(toMemberRecord)
    })
  }

  membersNamed(room: string, usernames: readonly string[]): Promise<MemberRecord[]> {
    return this.#run(async () => {
      if (usernames.length === 0) return []
      const keys = [...new Set(usernames.map((name) => name.toLowerCase()))]
      const rows = await this.#memberRows(room).where('users.username_key', 'in', keys).execute()
      return rows.map(toMemberRecord)
    })
  }

  myRooms(userId: string, username: string): Promise<MyRoomRecord[]> {
    return this.#run(async () => {
      // Per room, both counts are range scans of the (room, seq) primary key after the read mark;
      // mentions were resolved when the message was sent or edited (domain/mentions.ts).
      const mentioned =
        this.#dialect === 'postgres'
          ? sql`x.mentions ?| array[${username}::text, ${ROOM_MENTION}::text]`
          : sql`exists (select 1 from json_each(x.mentions) j
                        where j.value in (${username}, ${ROOM_MENTION}))`
      const result = await sql<{
        name: string
        kind: RoomKind
        role: Role
        last_seq: number
        read_seq: number
        unread: number
        mentions: number
      }>`select r.name, r.kind, m.role, r.last_seq, m.read_seq,
          (select count(*) from messages x where x.room = m.room and x.seq > m.read_seq
             and x.type = 'message' and x.user_id <> m.user_id and x.deleted_at is null) as unread,
          (select count(*) from messages x where x.room = m.room and x.seq > m.read_seq
             and x.type = 'message' and x.user_id <> m.user_id and x.mentions is not null
             and ${mentioned}) as mentions
        from members m join rooms r on r.name = m.room
        where m.user_id = ${userId}
        order by r.name`.execute(this.#db)
      const dmMembers = await sql<{ room: string; username: string }>`
        select m.room, u.username from members m join users u on u.id = m.user_id
        where m.room in (select mine.room from members mine join rooms r on r.name = mine.room
                         where mine.user_id = ${userId} and r.kind = 'dm')
        order by u.username_key`.execute(this.#db)
      const byRoom = new Map<string, string[]>()
      for (const row of dmMembers.rows) {
        const list = byRoom.get(row.room) ?? []
        list.push(row.username)
        byRoom.set(row.room, list)
      }
      return result.rows.map((row) => {
        const members = byRoom.get(row.name)
        return {
          name: row.name,
          kind: row.kind,
          role: row.role,
          lastSeq: Number(row.last_seq),
          readSeq: Number(row.read_seq),
          unread: Number(row.unread),
          mentions: Number(row.mentions),
          ...(row.kind === 'dm' && members ? { members } : {}),
        }
      })
    })
  }

  markRead(room: string, userId: string, seq: number): Promise<void> {
    return this.#run(async () => {
      const capped =
        this.#dialect === 'postgres'
          ? sql<number>`least(${seq}::bigint, (select last_seq from rooms where name = ${room}))`
          : sql<number>`min(${seq}, (select last_seq from rooms where name = ${room}))`
      await this.#db
        .updateTable('members')
        .set({ read_seq: capped })
        .where('room', '=', room)
        .where('user_id', '=', userId)
        .where('read_seq', '<', seq)
        .execute()
    })
  }

  /** PostgreSQL's applyChange: the room row locked like the group commit does, so seqs never clash. */
  applyChange(input: ChangeInput): Promise<RoomLogEvent | undefined> {
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        const room = await trx
          .selectFrom('rooms')
          .select('last_seq')
          .where('name', '=', input.room)
          .forUpdate()
          .executeTakeFirst()
        if (room === undefined) throw new ChatError('room_not_found')
        const change = input.change
        const subjectId = change.type === 'member' ? change.subjectId : ''
        const current =
          change.type === 'member'
            ? (
                await trx
                  .selectFrom('members')
                  .select('role')
                  .where('room', '=', input.room)
                  .where('user_id', '=', subjectId)
                  .executeTakeFirst()
              )?.role
            : undefined
        const write = plan(input, current)
        if (write === undefined) return undefined
        const seq = Number(room.last_seq) + 1
        if (write.kind === 'insert') {
          await trx
            .insertInto('members')
            .values({
              room: input.room,
              user_id: subjectId,
              role: write.role,
              read_seq: seq,
              joined_at: input.ts,
            })
            .execute()
        } else if (write.kind === 'delete') {
          await trx
            .deleteFrom('members')
            .where('room', '=', input.room)
            .where('user_id', '=', subjectId)
            .execute()
        } else if (write.kind === 'update') {
          await trx
            .updateTable('members')
            .set({ role: write.role })
            .where('room', '=', input.room)
            .where('user_id', '=', subjectId)
            .execute()
        } else {
          await trx
            .updateTable('rooms')
            .set({ topic: write.topic })
            .where('name', '=', input.room)
            .execute()
        }
        const event = changeEvent(input, seq)
        await trx
          .insertInto('messages')
          .values({
            room: input.room,
            seq,
            id: input.id,
            user_id: input.userId,
            username: input.username,
            text: '',
            cid: input.id,
            ts: input.ts,
            previews: null,
            type: event.type,
            data: eventData(event),
          })
          .execute()
        await trx
          .updateTable('rooms')
          .set({ last_seq: seq })
          .where('name', '=', input.room)
          .execute()
        return event
      }),
    )
  }

  #memberRows(room: string) {
    return this.#db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['members.user_id', 'users.username', 'members.role', 'members.read_seq'])
      .where('members.room', '=', room)
  }
}

function toMemberRecord(row: {
  user_id: string
  username: string
  role: Role
  read_seq: number
}): MemberRecord {
  return {
    userId: row.user_id,
    username: row.username,
    role: row.role,
    readSeq: Number(row.read_seq),
  }
}
