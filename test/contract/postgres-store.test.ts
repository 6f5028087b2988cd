import { describe } from 'vitest'
import { runStoreContract } from './store.contract.js'
import { newPostgresStore, postgresUnavailable } from './store-factories.js'
const skip = await postgresUnavailable()
describe.skipIf(skip !== undefined)('postgres', () =>
  runStoreContract('postgres', newPostgresStore),
)
