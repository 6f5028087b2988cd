import { afterEach, beforeEach, describe } from 'vitest'
import type { Store } from '../../src/domain/ports.js'
import { searchCases } from './store-search.contract.js'
import type { StoreHandle } from './store.contract.js'
import { runStoreContract } from './store.contract.js'
import { newPostgresStore, postgresUnavailable } from './store-factories.js'
const skip = await postgresUnavailable()
describe.skipIf(skip !== undefined)('postgres', () =>
  runStoreContract('postgres', () => newPostgresStore()),
)

// A search window of one message: every search above also takes the GIN index step, which the
// contract's few messages would otherwise never reach.
describe.skipIf(skip !== undefined)('postgres search through the indexes', () => {
  let handle: StoreHandle
  let store: Store
  beforeEach(async () => {
    handle = await newPostgresStore({ searchWindow: 1 })
    store = handle.store
    await store.migrate()
  })
  afterEach(() => handle.cleanup())
  searchCases(() => store)
})
