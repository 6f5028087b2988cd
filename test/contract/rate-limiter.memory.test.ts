// The RateLimiter contract against MemoryRateLimiter.
import { createMemoryRateLimiter } from '../../src/rate-limit/memory-rate-limiter.js'
import { runRateLimiterContract } from './rate-limiter.contract.js'

runRateLimiterContract('memory', {
  shared: false,
  newCluster: () => (clock) => createMemoryRateLimiter(clock),
})
