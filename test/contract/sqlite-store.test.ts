import { runStoreContract } from './store.contract.js'
import { newSqliteStore } from './store-factories.js'
runStoreContract('sqlite', newSqliteStore)
