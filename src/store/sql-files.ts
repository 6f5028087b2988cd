/** The Store's file-record queries, shared by the SQLite and PostgreSQL adapters (claims live in the group commits). */
import { sql, type Kysely } from 'kysely'
import { ChatError } from '../domain/errors.js'
import type { FileRecord, StoredFile } from '../domain/ports.js'
import { FILE_COLUMNS, toStoredFile } from './file-rows.js'
import type { SqlDialect } from './migrations/index.js'
import type { Database } from './schema.js'
import { guard } from './sql-queries.js'

export class SqlFiles {
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

  createFile(file: FileRecord): Promise<void> {
    return guard(this.#isUniqueViolation, async () => {
      // PostgreSQL: the room's row is share-locked, so a deletion (which locks it for update and
      // dooms the room's files) either comes after this row exists or leaves no room to find.
      const lock = this.#dialect === 'postgres' ? sql`for share` : sql``
      const result = await sql`insert into files
          (id, room, uploader_id, name, size, type, width, height, created_at)
        select ${file.id}, name, ${file.uploaderId}, ${file.name}, ${file.size}, ${file.type},
          ${file.width}, ${file.height}, ${file.createdAt}
        from rooms where name = ${file.room} ${lock}`.execute(this.#db)
      if (Number(result.numAffectedRows ?? 0) === 0) throw new ChatError('room_not_found')
    })
  }

  findFile(id: string): Promise<StoredFile | undefined> {
    return guard(this.#isUniqueViolation, async () => {
      const row = await this.#db
        .selectFrom('files')
        .select(FILE_COLUMNS)
        .where('id', '=', id)
        .where('doomed_at', 'is', null)
        .executeTakeFirst()
      return row === undefined ? undefined : toStoredFile(row)
    })
  }

  doomUnattachedFiles(uploadedBefore: number): Promise<number> {
    return guard(this.#isUniqueViolation, async () => {
      const result = await this.#db
        .updateTable('files')
        .set({ doomed_at: uploadedBefore })
        .where('message_seq', 'is', null)
        .where('doomed_at', 'is', null)
        .where('created_at', '<', uploadedBefore)
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    })
  }

  doomedFiles(limit: number): Promise<string[]> {
    return guard(this.#isUniqueViolation, async () => {
      const rows = await this.#db
        .selectFrom('files')
        .select('id')
        .where('doomed_at', 'is not', null)
        .limit(limit)
        .execute()
      return rows.map((row) => row.id)
    })
  }

  purgeFiles(ids: readonly string[]): Promise<void> {
    return guard(this.#isUniqueViolation, async () => {
      if (ids.length === 0) return
      await this.#db
        .deleteFrom('files')
        .where('id', 'in', ids)
        .where('doomed_at', 'is not', null)
        .execute()
    })
  }
}
