import { MemoryBus } from '../../src/bus/memory-bus.js'
import { runBusContract } from './bus.contract.js'

runBusContract('memory', {
  multiNode: false,
  newPair: () => Promise.resolve(same(new MemoryBus())),
})

function same(bus: MemoryBus) {
  return { a: bus, b: bus }
}
