// The PresenceRegistry contract against MemoryPresence.
import { createMemoryPresence } from '../../src/presence/memory-presence.js'
import { runPresenceContract } from './presence.contract.js'

runPresenceContract('memory', {
  shared: false,
  newCluster: () => (clock) => createMemoryPresence(clock),
})
