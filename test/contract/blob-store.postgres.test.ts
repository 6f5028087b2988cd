import { describe } from 'vitest'
import { runBlobStoreContract } from './blob-store.contract.js'
import { newPostgresBlobStore } from './blob-store-factories.js'
import { postgresUnavailable } from './store-factories.js'
const skip = await postgresUnavailable()
describe.skipIf(skip !== undefined)('postgres', () =>
  runBlobStoreContract('postgres', newPostgresBlobStore),
)
