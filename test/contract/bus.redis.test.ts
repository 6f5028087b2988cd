// The Bus contract against two RedisBus nodes on the real Redis (required when CI=true).
import { randomBytes } from 'node:crypto'
import { afterAll, describe } from 'vitest'
import { createRedisBus } from '../../src/bus/redis-bus.js'
import { deleteKeys, killClients, probeRedis, uniquePrefix } from '../support/redis.js'
import { runBusContract } from './bus.contract.js'

const redis = await probeRedis()
const prefix = uniquePrefix('bus')
const quiet = () => {}

function newBus(url: string, nodeId = `node-${randomBytes(4).toString('hex')}`) {
  return createRedisBus({ url, prefix, nodeId, onError: quiet, commandTimeoutMs: 300 })
}

describe.skipIf(!redis.available)('redis bus', () => {
  afterAll(() => deleteKeys(redis.url, prefix))
  runBusContract('redis', {
    multiNode: true,
    canCut: true,
    async newPair() {
      const nodeA = `node-a-${randomBytes(4).toString('hex')}`
      const a = newBus(redis.url, nodeA)
      const b = newBus(redis.url)
      await Promise.all([a.ready(), b.ready()])
      // Both of a's connections, as when a's network drops.
      const cutA = async () => {
        const killed = await killClients(redis.url, `:${nodeA}`)
        if (killed !== 2) throw new Error(`expected to kill 2 connections, killed ${killed}`)
      }
      return { a, b, cutA }
    },
    // Port 1 is never a Redis: connections are refused at once.
    newUnreachableBus: () => newBus('redis://127.0.0.1:1'),
  })
})
