// The RateLimiter contract against MemoryRateLimiter.
import { MemoryRateLimiter } from '../../src/rate-limit/memory-rate-limiter.js'
import { runRateLimiterContract } from './rate-limiter.contract.js'

runRateLimiterContract('memory', {
  shared: false,
  newCluster: () => (clock) => new MemoryRateLimiter(clock),
})
