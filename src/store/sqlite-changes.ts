/**
 * SQLite's membership and settings changes: the row change and its log event in one synchronous
 * BEGIN IMMEDIATE transaction, so nothing else on this connection (the group commit, the prepared
 * reads) ever sees a seq that is not committed yet.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { ChatError } from '../domain/errors.js'
import type { ChangeInput } from '../domain/ports.js'
import type { Role, RoomLogEvent } from '../protocol/frames.js'
import { changeEvent, plan } from './room-change.js'
import { eventData } from './schema.js'

export class SqliteChanges {
  readonly #apply: (input: ChangeInput) => RoomLogEvent | undefined

  constructor(db: BetterSqlite3.Database) {
    const lastSeq = db.prepare<[string], { last_seq: number }>(
      'select last_seq from rooms where name = ?',
    )
    const role = db.prepare<[string, string], { role: Role }>(
      'select role from members where room = ? and user_id = ?',
    )
    const insertMember = db.prepare<[string, string, string, number, number]>(
      'insert into members (room, user_id, role, read_seq, joined_at) values (?, ?, ?, ?, ?)',
    )
    const deleteMember = db.prepare<[string, string]>(
      'delete from members where room = ? and user_id = ?',
    )
    const updateRole = db.prepare<[string, string, string]>(
      'update members set role = ? where room = ? and user_id = ?',
    )
    const setTopic = db.prepare<[string | null, string]>(
      'update rooms set topic = ? where name = ?',
    )
    const insertEvent = db.prepare<
      [string, number, string, string, string, string, number, string, string]
    >(
      `insert into messages (room, seq, id, user_id, username, text, cid, ts, type, data)
       values (?, ?, ?, ?, ?, '', ?, ?, ?, ?)`,
    )
    const setLastSeq = db.prepare<[number, string]>('update rooms set last_seq = ? where name = ?')

    const transaction = db.transaction((input: ChangeInput): RoomLogEvent | undefined => {
      const room = lastSeq.get(input.room)
      if (room === undefined) throw new ChatError('room_not_found')
      const change = input.change
      const subjectId = change.type === 'member' ? change.subjectId : ''
      const current = change.type === 'member' ? role.get(input.room, subjectId)?.role : undefined
      const write = plan(input, current)
      if (write === undefined) return undefined
      const seq = Number(room.last_seq) + 1
      if (write.kind === 'insert')
        insertMember.run(input.room, subjectId, write.role, seq, input.ts)
      else if (write.kind === 'delete') deleteMember.run(input.room, subjectId)
      else if (write.kind === 'update') updateRole.run(write.role, input.room, subjectId)
      else setTopic.run(write.topic, input.room)
      const event = changeEvent(input, seq)
      insertEvent.run(
        input.room,
        seq,
        input.id,
        input.userId,
        input.username,
        input.id,
        input.ts,
        event.type,
        eventData(event),
      )
      setLastSeq.run(seq, input.room)
      return event
    })
    this.#apply = (input) => transaction.immediate(input)
  }

  apply(input: ChangeInput): RoomLogEvent | undefined {
    return this.#apply(input)
  }
}
