/** Applies pending migrations once, even when several processes or nodes start together. */
import { sql, type Kysely } from 'kysely'
import { MIGRATIONS, type SqlDialect } from './migrations/index.js'

export async function migrate(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  schema?: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await db.transaction().execute(async (trx) => {
      // One lock per schema, held until commit: a second node waits, then finds nothing to do.
      const key = `eddy.migrate.${schema ?? 'public'}`
      await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx)
      if (schema !== undefined)
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx)
      await applyPending(trx, dialect)
    })
    return
  }
  // SQLite: BEGIN IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout).
  await db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    try {
      await applyPending(conn, dialect)
      await sql`commit`.execute(conn)
    } catch (error) {
      await sql`rollback`.execute(conn)
      throw error
    }
  })
}

async function applyPending(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute()
  const applied = await sql<{ version: number }>`select version from schema_migrations`.execute(db)
  const done = new Set(applied.rows.map((row) => Number(row.version)))
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue
    await migration.up(db, dialect)
    await sql`insert into schema_migrations (version, name, applied_at)
      values (${migration.version}, ${migration.name}, ${Date.now()})`.execute(db)
  }
}
