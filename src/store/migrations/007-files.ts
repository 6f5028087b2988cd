/**
 * Migration 7 (files): uploaded files' records, the attachments a message carries, and on
 * PostgreSQL the blobs themselves (on one node the bytes are files under DATA_DIR instead).
 */
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const json = dialect === 'postgres' ? 'jsonb' : 'text'

  // The JSON file objects of a message's attachments, beside its previews: reads need no join.
  await db.schema.alterTable('messages').addColumn('attachments', json).execute()

  // No foreign key to rooms: a deleted room's files are doomed, not cascaded, so their blobs are
  // deleted before their records (no blob is ever left without a record pointing at it).
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('message_seq', 'bigint')
    .addColumn('doomed_at', 'bigint')
    .execute()
  await db.schema.createIndex('files_room').on('files').column('room').execute()
  // The janitor's two questions, each over a small part of the table.
  await sql`create index files_doomed on files (doomed_at) where doomed_at is not null`.execute(db)
  await sql`create index files_unattached on files (created_at)
    where message_seq is null and doomed_at is null`.execute(db)

  if (dialect !== 'postgres') return
  // Bytes as bytea chunks (postgres-blob-store.ts says why not large objects).
  await db.schema
    .createTable('blobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    // Every chunk but the last holds this many bytes, so a range read finds its chunks at once.
    .addColumn('chunk_bytes', 'integer', (c) => c.notNull())
    .addColumn('complete', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('blob_chunks')
    .addColumn('blob_id', 'text', (c) => c.notNull().references('blobs.id').onDelete('cascade'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_chunks_pk', ['blob_id', 'n'])
    .execute()
  // Uploads are mostly compressed already (images, archives): storing them out of line without
  // a compression attempt saves the CPU pglz would spend failing to shrink them.
  await sql`alter table blob_chunks alter column data set storage external`.execute(db)
}
