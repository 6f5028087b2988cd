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

  constructor(db: BetterSqlite3.Database) {
    this.#find = db.prepare(
      `select ${FILE_COLUMNS.join(', ')} from files where id = ? and doomed_at is null`,
    )
    this.#claim = db.prepare('update files set message_seq = ? where id = ?')
    this.#record = db.prepare('update messages set attachments = ? where room = ? and seq = ?')
  }

  /** The file objects `input` may attach (see claimAttachments); `claimed` spans one batch. */
  check(input: AppendInput, claimed: Set<string>): FileView[] | ChatError {
    const files = new Map<string, StoredFile>()
    for (const id of input.attachments ?? []) {
      const row = this.#find.get(id)
      if (row !== undefined) files.set(id, toStoredFile(row))
    }
    return claimAttachments(input, files, claimed)
  }

  /** Marks the files as the message's and stores their objects on it (same transaction). */
  claim(input: AppendInput, seq: number, views: readonly FileView[]): void {
    for (const view of views) this.#claim.run(seq, view.id)
    this.#record.run(JSON.stringify(views), input.room, seq)
  }
}
