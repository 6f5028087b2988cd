// The PresenceRegistry contract against RedisPresence nodes sharing one key prefix per test.
import { afterAll, describe } from 'vitest'
import { createRedisPresence } from '../../src/presence/redis-presence.js'
import { deleteKeys, probeRedis, uniquePrefix } from '../support/redis.js'
import { runPresenceContract } from './presence.contract.js'

const redis = await probeRedis()
const prefix = uniquePrefix('presence')
let run = 0

describe.skipIf(!redis.available)('redis presence', () => {
  afterAll(() => deleteKeys(redis.url, prefix))
  runPresenceContract('redis', {
    shared: true,
    // Each test gets fresh keys; registries made within one test share them, like nodes.
    newCluster() {
      const keys = `${prefix}${run++}:`
      return (clock) => createRedisPresence({ url: redis.url, prefix: keys, clock })
    },
  })
})
