import { runBlobStoreContract } from './blob-store.contract.js'
import { newMemoryBlobStore } from './blob-store-factories.js'
runBlobStoreContract('memory', newMemoryBlobStore)
