// Redis down on a node that uses it for limits and presence: sign-ins go on, the online list says 503.
import { describe, expect, it } from 'vitest'
import { api, registerUser } from '../support/clients.js'
import { deleteKeys, probeRedis, uniquePrefix } from '../support/redis.js'
import { startServer } from '../support/start-server.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

const redis = await probeRedis()

describe.skipIf(!redis.available)('Redis down', { timeout: 60_000 }, () => {
  it('login, register and room creation fail open; the online list answers 503 presence_unavailable, never 500', async () => {
    const proxy = await startTcpProxy(6379)
    const prefix = uniquePrefix('redis-down')
    const server = await startServer({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_PREFIX: prefix,
      LOGIN_ATTEMPTS_PER_MINUTE: '10',
      REGISTRATIONS_PER_HOUR: '10',
      ROOM_CREATIONS_PER_HOUR: '10',
    })
    const user = await registerUser(server.url)
    expect((await api(server.url, '/api/rooms/lobby/online', { token: user.token })).status).toBe(
      200,
    )

    proxy.down()
    const login = await api(server.url, '/api/login', {
      body: { username: user.username, password: user.password },
    })
    expect(login.status).toBe(200)
    const other = await registerUser(server.url)
    const created = await api(server.url, '/api/rooms', {
      body: { name: 'while-down' },
      token: other.token,
    })
    expect(created.status).toBe(201)
    const online = await api(server.url, '/api/rooms/lobby/online', { token: user.token })
    expect(online.status).toBe(503)
    expect(online.body).toMatchObject({ error: { code: 'presence_unavailable' } })

    proxy.restore()
    await expect
      .poll(
        async () =>
          (await api(server.url, '/api/rooms/lobby/online', { token: user.token })).status,
        {
          timeout: 15_000,
        },
      )
      .toBe(200)
    await proxy.close()
    await deleteKeys(redis.url, prefix)
  })
})
