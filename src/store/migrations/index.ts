/** The ordered, forward-only migration list: append new files, never edit an applied one. */
import * as init from './001-init.js'
import * as membership from './002-membership.js'
import * as roomsByCreator from './003-rooms-by-creator.js'
import * as bans from './004-bans.js'
import * as messageChanges from './005-message-changes.js'
import * as files from './007-files.js'
import * as search from './008-search.js'
import * as searchQueue from './009-search-queue.js'
import * as searchTombstones from './010-search-tombstones.js'
import type { Migration } from './migration.js'

export type { Migration, SqlDialect } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', up: init.up },
  { version: 2, name: 'membership', up: membership.up },
  { version: 3, name: 'rooms-by-creator', up: roomsByCreator.up },
  { version: 4, name: 'bans', up: bans.up },
  { version: 5, name: 'message-changes', up: messageChanges.up },
  { version: 7, name: 'files', up: files.up },
  { version: 8, name: 'search', up: search.up },
  { version: 9, name: 'search-queue', up: searchQueue.up },
  { version: 10, name: 'search-tombstones', up: searchTombstones.up },
]
