/** Migration 4 (bans): a server admin's ban on an account, null while the account is in good standing. */
import type { Kysely } from 'kysely'
import type { SqlDialect } from './migration.js'

export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  // Nullable with no default, so adding it rewrites no rows on either engine.
  await db.schema.alterTable('users').addColumn('banned_at', 'bigint').execute()
}
