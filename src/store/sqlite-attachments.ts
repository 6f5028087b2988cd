/** SQLite's side of an append with attachments: read the files' rows and claim them, inside the group commit's transaction. */
import type BetterSqlite3 from 'better-sqlite3'
import type { ChatError } from '../domain/errors.js'
import type { AppendInput, StoredFile } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import { claimAttachments, FILE_COLUMNS, toStoredFile, type FileRow } from './file-rows.js'

export class SqliteAttachments {
  readonly #find: BetterSqlite3.Statement<[string], FileRow>
  readonly #claim: BetterSqlite3.Statement<[number, string]>
  readonly #record: BetterSqlite3.Statement<[string, string, number]>
  readonly #doom: BetterSqlite3.Statement<[number, string, number]>

  constructor(db: BetterSqlite3.Database) {
    this.#find = db.prepare(
      `select ${FILE_COLUMNS.join(', ')} from files where id = ? and doomed_at is null`,
    )
    this.#claim = db.prepare('update files set message_seq = ? where id = ?')
    this.#record = db.prepare('update messages set attachments = ? where room = ? and seq = ?')
    this.#doom = db.prepare(
      'update files set doomed_at = ? where room = ? and message_seq = ? and doomed_at is null',
    )
  }

  /**
   * The file objects `input` may attach (see claimAttachments). Earlier appends of the batch
   * claimed theirs already, in this same transaction, so their rows say so.
   */
  check(input: AppendInput): FileView[] | ChatError {
    const files = new Map<string, StoredFile>()
    for (const id of input.attachments ?? []) {
      const row = this.#find.get(id)
      if (row !== undefined) files.set(id, toStoredFile(row))
    }
    return claimAttachments(input, files, new Set())
  }

  /** A deleted message's files go with it: doomed here, their blobs deleted by the janitor. */
  doom(room: string, seq: number, at: number): void {
    this.#doom.run(at, room, seq)
  }

  /** Marks the files as the message's and stores their objects on it (same transaction). */
  claim(input: AppendInput, seq: number, views: readonly FileView[]): void {
    for (const view of views) this.#claim.run(seq, view.id)
    this.#record.run(JSON.stringify(views), input.room, seq)
  }
}
