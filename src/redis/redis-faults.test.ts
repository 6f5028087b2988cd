/** The Redis adapters under faults the contract suites cannot stage: a hung server, bad payloads. */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BusEvent } from '../domain/ports.js'
import { deleteKeys, probeRedis, uniquePrefix } from '../../test/support/redis.js'
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.js'
import { createRedisBus } from '../bus/redis-bus.js'
import { createRedisPresence } from '../presence/redis-presence.js'
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter.js'

const redis = await probeRedis()
const prefix = uniquePrefix('faults')
const clock = { now: () => Date.now() }
const typing: BusEvent = { type: 'typing', room: 'lobby', user: 'ann' }
const closers: Array<() => Promise<void>> = []

function track<T extends { close(): Promise<void> }>(resource: T): T {
  closers.push(() => resource.close())
  return resource
}

async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now()
  await work().catch(() => undefined)
  return Date.now() - started
}

describe('Redis adapters when Redis is unreachable', () => {
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()))
  })

  it('presence and rate limiter reject within their timeout', async () => {
    const url = 'redis://127.0.0.1:1'
    const quiet = () => {}
    const presence = track(createRedisPresence({ url, prefix, clock, onError: quiet }))
    const limiter = track(createRedisRateLimiter({ url, prefix, clock, onError: quiet }))
    await expect(presence.online('lobby')).rejects.toThrow()
    await expect(limiter.take('ann', { capacity: 1, refillPerSecond: 1 })).rejects.toThrow()
    expect(await elapsedMs(() => presence.online('lobby'))).toBeLessThan(2_500)
  })
})

describe.skipIf(!redis.available)('Redis adapters when Redis hangs', () => {
  let proxy: TcpProxy
  let port: number
  beforeAll(async () => {
    port = Number(new URL(redis.url).port || 6379)
    proxy = await startTcpProxy(port, new URL(redis.url).hostname)
  })
  afterEach(async () => {
    proxy.thaw()
    await Promise.all(closers.splice(0).map((close) => close()))
  })
  afterAll(async () => {
    await proxy.close()
    await deleteKeys(redis.url, prefix)
  })
  const viaProxy = () => `redis://127.0.0.1:${proxy.port}`

  it('publish delivers locally and resolves within commandTimeoutMs', async () => {
    const bus = track(
      createRedisBus({
        url: viaProxy(),
        prefix,
        nodeId: 'hung',
        commandTimeoutMs: 200,
        onError: () => {},
      }),
    )
    await bus.ready()
    const seen: BusEvent[] = []
    bus.onEvent((event) => seen.push(event))
    proxy.freeze()
    expect(await elapsedMs(() => bus.publish(typing))).toBeLessThan(600)
    expect(seen).toEqual([typing])
  })

  it('catches up rooms watched before Redis first answered', async () => {
    proxy.freeze()
    const late = track(
      createRedisBus({ url: viaProxy(), prefix, nodeId: 'late', onError: () => {} }),
    )
    await late.watch('lobby')
    const reconnected = new Promise<void>((resolve) => late.onReconnect(resolve))
    const seen: BusEvent[] = []
    late.onEvent((event) => seen.push(event))
    proxy.thaw()
    await reconnected
    const other = track(
      createRedisBus({ url: redis.url, prefix, nodeId: 'other', onError: () => {} }),
    )
    await other.ready()
    await other.publish(typing)
    await expect.poll(() => seen, { interval: 5 }).toEqual([typing])
  })

  it('presence rejects within commandTimeoutMs', async () => {
    const presence = track(
      createRedisPresence({
        url: viaProxy(),
        prefix,
        clock,
        commandTimeoutMs: 200,
        onError: () => {},
      }),
    )
    await presence.online('lobby')
    proxy.freeze()
    const entry = { room: 'lobby', user: 'ann', connectionId: 'c1' }
    await expect(presence.add(entry, 1_000)).rejects.toThrow(/timed out/)
  })
})

describe.skipIf(!redis.available)('Redis bus payloads', () => {
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()))
  })
  afterAll(() => deleteKeys(redis.url, prefix))

  it('reports and skips a payload that is not a tagged BusEvent', async () => {
    const reports: string[] = []
    const bus = track(
      createRedisBus({
        url: redis.url,
        prefix,
        nodeId: `n-${randomBytes(4).toString('hex')}`,
        onError: (_error, context) => reports.push(context),
      }),
    )
    await bus.ready()
    await bus.watch('lobby')
    const seen: BusEvent[] = []
    bus.onEvent((event) => seen.push(event))
    const raw = new Redis(redis.url)
    closers.push(async () => void (await raw.quit()))
    const channel = `${prefix}room:lobby`
    await raw.publish(channel, 'not json')
    await raw.publish(channel, JSON.stringify({ node: 'x', event: { type: 'typing', room: 1 } }))
    await raw.publish(channel, JSON.stringify({ node: 'x', event: typing }))
    await expect.poll(() => seen, { interval: 5 }).toEqual([typing])
    expect(reports.filter((context) => context.startsWith('bus payload'))).toHaveLength(2)
  })
})
