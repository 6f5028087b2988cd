// Outages: Redis down (nodes keep serving their own clients, then everyone catches up), PostgreSQL down.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { scaleOutUnavailable, startCluster, TEST_PG_URL } from '../support/cluster.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

const skip = await scaleOutUnavailable()

describe.skipIf(skip !== undefined)('outages', { timeout: 90_000 }, () => {
  it('Redis down: nodes serve their own clients, /healthz says degraded; when it returns every subscriber catches up', async () => {
    const proxy = await startTcpProxy(6379)
    const cluster = await startCluster(2, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` })
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const [sender, local, remote] = await Promise.all([1, 2, 3].map(() => registerUser(n0.url)))
    const s = await ChatClient.connect(n0.wsUrl, sender!.token)
    const near = await ChatClient.connect(n0.wsUrl, local!.token)
    const far = await ChatClient.connect(n1.wsUrl, remote!.token)
    await s.join('lobby')
    const start = (await near.join('lobby')).seq
    await far.join('lobby')

    proxy.down()
    await expect
      .poll(async () => ((await api(n0.url, '/healthz')).body as { status: string }).status, {
        timeout: 10_000,
      })
      .toBe('degraded')
    expect((await api(n0.url, '/healthz')).status).toBe(200)
    for (let i = 0; i < 20; i++)
      s.send({ type: 'send', room: 'lobby', text: `during ${i}`, cid: `d${i}` })
    const lastAck = await s.next('ack', (f) => f.cid === 'd19', 20_000)
    await near.waitForSeq('lobby', lastAck.seq)
    expect(near.messages('lobby').map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => start + i + 1),
    )

    proxy.restore()
    await far.waitForSeq('lobby', lastAck.seq, 30_000)
    expect(far.messages('lobby').map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => start + i + 1),
    )
    await expect
      .poll(async () => ((await api(n1.url, '/healthz')).body as { status: string }).status, {
        timeout: 10_000,
      })
      .toBe('ok')
    // And live fan-out across nodes works again.
    s.send({ type: 'send', room: 'lobby', text: 'after', cid: 'after' })
    await far.next('message', (f) => f.cid === 'after', 10_000)
    for (const c of [s, near, far]) c.close()
    await proxy.close()
  })

  it('PostgreSQL down: sends are refused with an error frame (never acked), then service resumes by itself', async () => {
    const proxy = await startTcpProxy(5432)
    const cluster = await startCluster(1, {
      DATABASE_URL: TEST_PG_URL.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`),
    })
    const node = cluster.nodes[0]!
    const user = await registerUser(node.url)
    const c = await ChatClient.connect(node.wsUrl, user.token)
    await c.join('lobby')
    c.send({ type: 'send', room: 'lobby', text: 'before', cid: 'p0' })
    await c.next('ack', (f) => f.cid === 'p0')

    proxy.down()
    c.send({ type: 'send', room: 'lobby', text: 'during', cid: 'p1' })
    const error = await c
      .next('error', (f) => f.cid === 'p1', 30_000)
      .catch((e: unknown) => {
        console.log(node.output().slice(-3000))
        throw e
      })
    expect(error.code).toBe('store_unavailable')
    expect(c.frames.some((f) => f.type === 'ack' && f.cid === 'p1')).toBe(false)
    expect((await api(node.url, '/healthz')).status).toBe(503)

    proxy.restore()
    await expect
      .poll(async () => (await api(node.url, '/healthz')).status, { timeout: 20_000 })
      .toBe(200)
    c.send({ type: 'send', room: 'lobby', text: 'during', cid: 'p1' })
    const ack = await c.next('ack', (f) => f.cid === 'p1', 20_000)
    const history = await api(node.url, `/api/rooms/lobby/messages?after=${ack.seq - 2}`, {
      token: user.token,
    })
    expect(
      (history.body as { messages: Array<{ cid: string }> }).messages.map((m) => m.cid),
    ).toEqual(['p0', 'p1'])
    c.close()
    await proxy.close()
  })
})
