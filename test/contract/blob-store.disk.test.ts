import { runBlobStoreContract } from './blob-store.contract.js'
import { newDiskBlobStore } from './blob-store-factories.js'
runBlobStoreContract('disk', newDiskBlobStore)
