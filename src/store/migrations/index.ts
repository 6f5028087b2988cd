/** The ordered, forward-only migration list: append new files, never edit an applied one. */
import type { Kysely } from 'kysely'
import * as init from './001-init.js'
import * as bans from './002-bans.js'

export type SqlDialect = 'sqlite' | 'postgres'

export interface Migration {
  readonly version: number
  readonly name: string
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', up: init.up },
  { version: 2, name: 'bans', up: bans.up },
]
