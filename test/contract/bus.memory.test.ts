// The Bus contract against MemoryBus (single node: the cross-node clauses are skipped).
import { MemoryBus } from '../../src/bus/memory-bus.js'
import { runBusContract } from './bus.contract.js'

runBusContract('memory', {
  multiNode: false,
  newPair: () => Promise.resolve(same(new MemoryBus())),
})

function same(bus: MemoryBus) {
  return { a: bus, b: bus }
}
