/** Migration 2: rooms indexed by creator, for the per-user room cap (Store.countRoomsCreatedBy). */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('rooms_created_by').on('rooms').column('created_by').execute()
}
