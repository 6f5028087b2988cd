// The RateLimiter contract against RedisRateLimiter nodes sharing one key prefix per test.
import { afterAll, describe } from 'vitest'
import { createRedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter.js'
import { deleteKeys, probeRedis, uniquePrefix } from '../support/redis.js'
import { runRateLimiterContract } from './rate-limiter.contract.js'

const redis = await probeRedis()
const prefix = uniquePrefix('rate-limit')
let run = 0

describe.skipIf(!redis.available)('redis rate limiter', () => {
  afterAll(() => deleteKeys(redis.url, prefix))
  runRateLimiterContract('redis', {
    shared: true,
    newCluster() {
      const keys = `${prefix}${run++}:`
      return (clock) => createRedisRateLimiter({ url: redis.url, prefix: keys, clock })
    },
  })
})
