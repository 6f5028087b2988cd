/** The ordered, forward-only migration list: append new files, never edit an applied one. */
import * as init from './001-init.js'
import type { Migration } from './migration.js'

export type { Migration, SqlDialect } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'init', up: init.up }]
