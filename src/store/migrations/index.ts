/** The ordered, forward-only migration list: append new files, never edit an applied one. */
import * as init from './001-init.js'
import * as roomsByCreator from './002-rooms-by-creator.js'
import type { Migration } from './migration.js'

export type { Migration, SqlDialect } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', up: init.up },
  { version: 2, name: 'rooms-by-creator', up: roomsByCreator.up },
]
