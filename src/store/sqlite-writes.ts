/**
 * The rows one SQLite group commit writes, as prepared statements run inside its transaction: a new
 * message, or an edit, delete or reaction with its target's new state (message-change.ts).
 */
import type BetterSqlite3 from 'better-sqlite3'
import { ChatError } from '../domain/errors.js'
import type { AppendInput, MessageChangeInput } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import { newMessage, type AppendOutcome } from './append-queue.js'
import {
  changeEvent,
  cidReused,
  DELETED_BEFORE,
  planChange,
  repeatOf,
  type TargetWrite,
} from './message-change.js'
import {
  ERASED_EDIT_DATA,
  eventData,
  jsonOrNull,
  LOG_COLUMNS,
  parseReactions,
  toLogEvent,
  type LogRow,
} from './schema.js'
import { SqliteAttachments } from './sqlite-attachments.js'

/** The batch's view of each room's last seq, written back once per room at the end. */
export type BatchSeqs = Map<string, number>

interface TargetRow {
  user_id: string
  deleted_at: number | null
  reactions: string | null
}

export class SqliteWrites {
  readonly #findByCid: BetterSqlite3.Statement<[string, string, string], LogRow>
  readonly #findLastSeq: BetterSqlite3.Statement<[string], { last_seq: number }>
  readonly #insertMessage: BetterSqlite3.Statement<
    [string, number, string, string, string, string, string, number, number | null, string | null]
  >
  readonly #insertEvent: BetterSqlite3.Statement<
    [string, number, string, string, string, string, number, string, string, number]
  >
  readonly #target: BetterSqlite3.Statement<[string, number], TargetRow>
  readonly #firstDelete: BetterSqlite3.Statement<[string, number], LogRow>
  readonly #edit: BetterSqlite3.Statement<[string, string | null, number, string, number]>
  readonly #erase: BetterSqlite3.Statement<[number, string, number]>
  readonly #eraseEdits: BetterSqlite3.Statement<[string, string, number]>
  readonly #react: BetterSqlite3.Statement<[string | null, string, number]>
  readonly #attachments: SqliteAttachments

  constructor(db: BetterSqlite3.Database) {
    const columns = LOG_COLUMNS.join(', ')
    this.#findByCid = db.prepare(
      `select ${columns} from messages where room = ? and user_id = ? and cid = ?`,
    )
    this.#findLastSeq = db.prepare('select last_seq from rooms where name = ?')
    this.#insertMessage = db.prepare(
      `insert into messages (room, seq, id, user_id, username, text, cid, ts, reply_to, mentions)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (room, user_id, cid) do nothing`,
    )
    this.#insertEvent = db.prepare(
      `insert into messages (room, seq, id, user_id, username, text, cid, ts, type, data, target)
       values (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
    )
    this.#target = db.prepare(
      `select user_id, deleted_at, reactions from messages
       where room = ? and seq = ? and type = 'message'`,
    )
    this.#firstDelete = db.prepare(
      `select ${columns} from messages where room = ? and target = ? and type = 'delete'
       order by seq limit 1`,
    )
    this.#edit = db.prepare(
      'update messages set text = ?, mentions = ?, edited_at = ? where room = ? and seq = ?',
    )
    // Erased for good: secure_delete (sqlite-store.ts) zeroes the bytes the old values freed.
    this.#erase = db.prepare(
      `update messages set text = '', mentions = null, previews = null, reactions = null,
         attachments = null, data = null, deleted_at = ? where room = ? and seq = ?`,
    )
    this.#eraseEdits = db.prepare(
      `update messages set data = ? where room = ? and target = ? and type = 'edit'`,
    )
    this.#react = db.prepare('update messages set reactions = ? where room = ? and seq = ?')
    this.#attachments = new SqliteAttachments(db)
  }

  /** The room's last seq as this batch sees it; undefined for an unknown room. */
  #lastSeq(room: string, seqs: BatchSeqs): number | undefined {
    const known = seqs.get(room)
    if (known !== undefined) return known
    const row = this.#findLastSeq.get(room)
    return row === undefined ? undefined : Number(row.last_seq)
  }

  message(input: AppendInput, seqs: BatchSeqs): AppendOutcome {
    const last = this.#lastSeq(input.room, seqs)
    if (last === undefined) return new ChatError('room_not_found')
    let files: FileView[] | undefined
    if ((input.attachments?.length ?? 0) > 0) {
      // A repeat answers with its first copy before its (now claimed) files are checked.
      const earlier = this.#findByCid.get(input.room, input.userId, input.cid)
      if (earlier !== undefined) {
        const event = toLogEvent(earlier)
        return event.type === 'message' ? { message: event, created: false } : cidReused()
      }
      const checked = this.#attachments.check(input)
      if (checked instanceof ChatError) return checked
      files = checked
    }
    const seq = last + 1
    // Insert first and look for the earlier copy only on a clash: repeats are rare, and the
    // seq is only taken when a row was stored.
    const { changes } = this.#insertMessage.run(
      input.room,
      seq,
      input.id,
      input.userId,
      input.username,
      input.text,
      input.cid,
      input.ts,
      input.replyTo ?? null,
      jsonOrNull(input.mentions),
    )
    if (changes === 0) {
      const existing = this.#findByCid.get(input.room, input.userId, input.cid)
      if (existing === undefined) throw new Error('A clashing insert left no earlier copy')
      const event = toLogEvent(existing)
      return event.type === 'message' ? { message: event, created: false } : cidReused()
    }
    seqs.set(input.room, seq)
    const message = newMessage(input, seq)
    if (files !== undefined) {
      this.#attachments.claim(input, seq, files)
      message.attachments = files
    }
    return { message, created: true }
  }

  change(input: MessageChangeInput, seqs: BatchSeqs): AppendOutcome {
    // Changes are rare: the earlier copy is looked for first, before any rule, so a repeat is
    // answered the same even when the target changed since (deleted after an edit).
    const earlier = this.#findByCid.get(input.room, input.userId, input.cid)
    if (earlier !== undefined) {
      const event = repeatOf(toLogEvent(earlier), input)
      return event instanceof ChatError ? event : { event, created: false }
    }
    const last = this.#lastSeq(input.room, seqs)
    if (last === undefined) return new ChatError('room_not_found')
    const row = this.#target.get(input.room, input.target)
    const target =
      row === undefined
        ? undefined
        : {
            userId: row.user_id,
            deleted: row.deleted_at !== null,
            reactions: parseReactions(row.reactions),
          }
    const write = planChange(input, target)
    if (write instanceof ChatError) return write
    if (write === DELETED_BEFORE) {
      const first = this.#firstDelete.get(input.room, input.target)
      const event = first === undefined ? undefined : toLogEvent(first)
      if (event?.type !== 'delete') throw new Error('A deleted message has no delete event')
      return { event, created: false }
    }
    const seq = last + 1
    const event = changeEvent(input, seq)
    this.#insertEvent.run(
      input.room,
      seq,
      input.id,
      input.userId,
      input.username,
      input.cid,
      input.ts,
      event.type,
      eventData(event),
      input.target,
    )
    this.#apply(input, write)
    seqs.set(input.room, seq)
    return { event, created: true }
  }

  #apply(input: MessageChangeInput, write: TargetWrite): void {
    const { room, target } = input
    if (write.kind === 'edit') {
      this.#edit.run(write.text, jsonOrNull(write.mentions), write.editedAt, room, target)
    } else if (write.kind === 'delete') {
      this.#erase.run(write.deletedAt, room, target)
      this.#attachments.doom(room, target, write.deletedAt)
      this.#eraseEdits.run(ERASED_EDIT_DATA, room, target)
    } else {
      this.#react.run(jsonOrNull(write.reactions), room, target)
    }
  }
}
