// /healthz notices a bus that answers nothing while its connection stays up (a timed round trip).
import { describe, expect, it } from 'vitest'
import { api } from '../support/clients.js'
import { probeRedis, uniquePrefix } from '../support/redis.js'
import { startServer } from '../support/start-server.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

const redis = await probeRedis()

describe.skipIf(!redis.available)('bus health', { timeout: 60_000 }, () => {
  it('reports the bus down while Redis is stalled with the connection up, and ok again after', async () => {
    const proxy = await startTcpProxy(6379)
    const server = await startServer({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_PREFIX: uniquePrefix('bus-health'),
    })
    const health = async () =>
      (await api(server.url, '/healthz')).body as { status: string; checks: { bus: string } }
    await expect.poll(async () => (await health()).checks.bus, { timeout: 10_000 }).toBe('ok')

    proxy.freeze()
    const stalled = await api(server.url, '/healthz')
    expect(stalled.status).toBe(200)
    expect(stalled.body).toMatchObject({ status: 'degraded', checks: { bus: 'down' } })

    proxy.thaw()
    await expect.poll(async () => (await health()).checks.bus, { timeout: 10_000 }).toBe('ok')
    await server.close()
    await proxy.close()
  })
})
