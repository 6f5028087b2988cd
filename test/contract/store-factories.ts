/** Fresh, self-cleaning stores for the contract suite: a temp dir per SQLite store. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Store } from '../../src/domain/ports.js'
import { createSqliteStore } from '../../src/store/sqlite-store.js'
import type { StoreHandle } from './store.contract.js'

export async function newSqliteStore(): Promise<StoreHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-store-'))
  const file = join(dir, 'eddy.db')
  const opened: Store[] = [await createSqliteStore({ file })]
  return {
    store: opened[0]!,
    reopen: async () => {
      const store = await createSqliteStore({ file })
      opened.push(store)
      return store
    },
    cleanup: async () => {
      for (const store of opened) await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
