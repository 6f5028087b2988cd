/** What a migration is: a numbered, forward-only schema step for either SQL engine. */
import type { Kysely } from 'kysely'

export type SqlDialect = 'sqlite' | 'postgres'

export interface Migration {
  readonly version: number
  readonly name: string
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>
}
