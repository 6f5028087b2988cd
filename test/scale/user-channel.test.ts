// The user channel across nodes on PostgreSQL + Redis: per-user frames reach every socket of the
// user on every node, and logout and bans close the user's sockets on the other node too.
import pg from 'pg'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { WS_CLOSE } from '../../src/protocol/error-codes.js'
import type { ServerFrame } from '../../src/protocol/frames.js'
import { api, ChatClient, registerUser, uniqueName } from '../support/clients.js'
import { scaleOutUnavailable, startCluster, TEST_PG_URL } from '../support/cluster.js'
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js'
import { startServer } from '../support/start-server.js'

const skip = await scaleOutUnavailable()

/** Two in-process nodes sharing one PostgreSQL schema and one Redis prefix. */
async function twoNodes() {
  const schema = `eddy_uc_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const prefix = uniquePrefix('uc')
  onTestFinished(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix)
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  })
  const env = {
    DATABASE_URL: TEST_PG_URL,
    PG_SCHEMA: schema,
    PG_POOL_MAX: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
  }
  const a = await startServer({ ...env, NODE_ID: 'uc-a' })
  const b = await startServer({ ...env, NODE_ID: 'uc-b' })
  return [a, b] as const
}

const userFrames = (client: ChatClient) =>
  client.frames.filter(
    (f: ServerFrame) =>
      ['notify', 'read', 'membership'].includes(f.type) && 'room' in f && f.room !== 'probe',
  )

describe.skipIf(skip !== undefined)('the user channel across nodes', { timeout: 90_000 }, () => {
  it('delivers notify, read and membership to every socket of the user on both nodes, and to no one else', async () => {
    const [a, b] = await twoNodes()
    const alice = await registerUser(a.url)
    const bob = await registerUser(a.url)
    const sockets = [
      await ChatClient.connect(a.wsUrl, alice.token),
      await ChatClient.connect(b.wsUrl, alice.token),
      await ChatClient.connect(b.wsUrl, alice.token),
    ]
    // One of them in a room, the others in none: the user channel does not care.
    await sockets[1]!.join('lobby')
    const other = await ChatClient.connect(a.wsUrl, bob.token)
    // Each node subscribes to the user's channel as the sockets attach; probe until all hear it.
    let probe = 0
    await vi.waitFor(
      async () => {
        probe += 1
        await a.userChannel.read(alice.id, 'probe', probe)
        for (const socket of sockets) {
          await socket.next('read', (f) => f.room === 'probe', 200)
        }
      },
      { timeout: 10_000, interval: 50 },
    )
    for (const socket of sockets) socket.frames.length = 0

    const notice = {
      kind: 'mention',
      room: 'lobby',
      seq: 42,
      user: 'ann',
      text: 'hi @you',
    } as const
    await a.userChannel.notify(alice.id, notice)
    await b.userChannel.read(alice.id, 'lobby', 42)
    await b.userChannel.membership(alice.id, { room: 'secret', op: 'added', kind: 'private' })
    for (const socket of sockets) {
      await socket.next('membership')
      await socket.next('notify')
      // Events from different nodes have no order between them; each arrives once.
      expect(userFrames(socket)).toHaveLength(3)
      expect(userFrames(socket)).toEqual(
        expect.arrayContaining([
          { type: 'notify', ...notice },
          { type: 'read', room: 'lobby', seq: 42 },
          { type: 'membership', room: 'secret', op: 'added', kind: 'private' },
        ]),
      )
    }
    // Bob's socket, on the node that published, heard none of Alice's events.
    await a.userChannel.read(bob.id, 'marker', 1)
    await other.next('read')
    expect(userFrames(other)).toEqual([{ type: 'read', room: 'marker', seq: 1 }])
    for (const socket of [...sockets, other]) socket.close()
  })

  it('a logout on node A closes that session’s socket on node B; a ban on A closes the user’s sockets on B', async () => {
    const root = uniqueName('root')
    const cluster = await startCluster(2, { ADMIN_USERS: root })
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const admin = await registerUser(n0.url, root)
    const mallory = await registerUser(n0.url)
    const login = await api(n1.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    const second = (login.body as { token: string }).token
    const first = await ChatClient.connect(n1.wsUrl, mallory.token)
    const onB = await ChatClient.connect(n1.wsUrl, second)
    const onA = await ChatClient.connect(n0.wsUrl, second)

    expect(
      (await api(n0.url, '/api/logout', { method: 'POST', token: mallory.token })).status,
    ).toBe(204)
    expect((await first.closed).code).toBe(WS_CLOSE.sessionEnded)
    await onB.join('lobby')

    const banned = await api(n0.url, `/api/admin/users/${mallory.username}/ban`, {
      method: 'POST',
      token: admin.token,
    })
    expect(banned.status).toBe(204)
    for (const socket of [onB, onA]) {
      expect(await socket.closed).toEqual({
        code: WS_CLOSE.accountBanned,
        reason: 'account banned',
      })
    }
    const refused = await api(n1.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    expect(refused.body).toMatchObject({ error: { code: 'banned' } })
    const lifted = await api(n1.url, `/api/admin/users/${mallory.username}/ban`, {
      method: 'DELETE',
      token: admin.token,
    })
    expect(lifted.status).toBe(204)
    const back = await api(n0.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    expect(back.status).toBe(200)
  })

  it('a session node B remembers is refused there as soon as a logout or ban on node A has answered', async () => {
    const root = uniqueName('root')
    const cluster = await startCluster(2, { ADMIN_USERS: root })
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const admin = await registerUser(n0.url, root)
    const mallory = await registerUser(n0.url)
    const login = await api(n0.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    const second = (login.body as { token: string }).token
    // Node B hears mallory's channel from her first socket on, so it remembers both sessions.
    const socket = await ChatClient.connect(n1.wsUrl, mallory.token)
    await socket.join('lobby')
    const other = await ChatClient.connect(n1.wsUrl, second)
    await other.join('lobby')
    for (const token of [mallory.token, second]) {
      expect((await api(n1.url, '/api/me/rooms', { token })).status).toBe(200)
    }

    expect(
      (await api(n0.url, '/api/logout', { method: 'POST', token: mallory.token })).status,
    ).toBe(204)
    expect((await api(n1.url, '/api/me/rooms', { token: mallory.token })).status).toBe(401)
    await expect(ChatClient.connect(n1.wsUrl, mallory.token)).rejects.toThrow('HTTP 401')
    expect((await socket.closed).code).toBe(WS_CLOSE.sessionEnded)
    expect((await api(n1.url, '/api/me/rooms', { token: second })).status).toBe(200)

    const banned = await api(n0.url, `/api/admin/users/${mallory.username}/ban`, {
      method: 'POST',
      token: admin.token,
    })
    expect(banned.status).toBe(204)
    expect((await api(n1.url, '/api/me/rooms', { token: second })).status).toBe(401)
    await expect(ChatClient.connect(n1.wsUrl, second)).rejects.toThrow('HTTP 401')
    expect((await other.closed).code).toBe(WS_CLOSE.accountBanned)
  })
})
