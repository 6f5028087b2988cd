// The Bus contract against MemoryBus (single node: the cross-node clauses are skipped).
import type { MemoryBus } from '../../src/bus/memory-bus.js'
import { createMemoryBus } from '../../src/bus/memory-bus.js'
import { runBusContract } from './bus.contract.js'

runBusContract('memory', {
  multiNode: false,
  newPair: () => Promise.resolve(same(createMemoryBus())),
})

function same(bus: MemoryBus) {
  return { a: bus, b: bus }
}
