// Sessions on open sockets: logout, log out everywhere, password change and expiry close the sockets
// opened with the ended sessions (close 4001), and only those.
import { describe, expect, it } from 'vitest'
import { WS_CLOSE } from '../../src/protocol/error-codes.js'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

async function login(url: string, user: TestUser, password = user.password): Promise<string> {
  const response = await api(url, '/api/login', { body: { username: user.username, password } })
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`)
  return (response.body as { token: string }).token
}

/** The socket still works: it can join and have a message acknowledged. */
async function works(client: ChatClient, cid: string): Promise<void> {
  await client.join('lobby')
  client.send({ type: 'send', room: 'lobby', text: 'still here', cid })
  await client.next('ack', (f) => f.cid === cid)
}

describe('sessions on open sockets', () => {
  it('logout closes the socket opened with that session with 4001, and not the other session’s', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const other = await login(server.url, user)
    const mine = await ChatClient.connect(server.wsUrl, user.token)
    const mineToo = await ChatClient.connect(server.wsUrl, user.token)
    const theirs = await ChatClient.connect(server.wsUrl, other)
    await works(mine, 'before')

    const out = await api(server.url, '/api/logout', { method: 'POST', token: user.token })
    expect(out.status).toBe(204)
    for (const closed of [await mine.closed, await mineToo.closed]) {
      expect(closed).toEqual({ code: WS_CLOSE.sessionEnded, reason: 'session ended: signed out' })
    }
    await works(theirs, 'after')
    expect((await api(server.url, '/api/me', { token: user.token })).status).toBe(401)
    theirs.close()
  })

  it('a password change closes the user’s other sessions and sockets, and keeps this one', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const other = await login(server.url, user)
    const here = await ChatClient.connect(server.wsUrl, user.token)
    const there = await ChatClient.connect(server.wsUrl, other)

    const wrong = await api(server.url, '/api/me/password', {
      token: user.token,
      body: { current: 'not my password', password: 'a whole new secret' },
    })
    expect(wrong.status).toBe(403)
    expect(wrong.body).toMatchObject({ error: { code: 'wrong_password' } })
    await works(there, 'wrong-current-changes-nothing')

    const changed = await api(server.url, '/api/me/password', {
      token: user.token,
      body: { current: user.password, password: 'a whole new secret' },
    })
    expect(changed.status).toBe(204)
    expect(await there.closed).toEqual({
      code: WS_CLOSE.sessionEnded,
      reason: 'session ended: password changed',
    })
    expect((await api(server.url, '/api/me', { token: other })).status).toBe(401)
    await works(here, 'kept')
    expect((await api(server.url, '/api/me', { token: user.token })).status).toBe(200)
    const old = await api(server.url, '/api/login', {
      body: { username: user.username, password: user.password },
    })
    expect(old.status).toBe(401)
    await login(server.url, user, 'a whole new secret')
    here.close()
  })

  it('log out everywhere closes every socket of the user and revokes every session', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const bystander = await registerUser(server.url)
    const other = await login(server.url, user)
    const a = await ChatClient.connect(server.wsUrl, user.token)
    const b = await ChatClient.connect(server.wsUrl, other)
    const c = await ChatClient.connect(server.wsUrl, bystander.token)

    const out = await api(server.url, '/api/logout/all', { method: 'POST', token: other })
    expect(out.status).toBe(204)
    for (const closed of [await a.closed, await b.closed]) {
      expect(closed.code).toBe(WS_CLOSE.sessionEnded)
    }
    for (const token of [user.token, other]) {
      expect((await api(server.url, '/api/me', { token })).status).toBe(401)
    }
    await works(c, 'bystander')
    c.close()
  })

  it('closes a socket whose session expires while it is open (4001), checked on the heartbeat', async () => {
    let now = Date.now()
    const server = await startServer(
      { SESSION_TTL_DAYS: '1', PRESENCE_SWEEP_INTERVAL_MS: '50' },
      { clock: { now: () => now } },
    )
    const user = await registerUser(server.url)
    const socket = await ChatClient.connect(server.wsUrl, user.token)
    await works(socket, 'fresh')
    now += 2 * 24 * 60 * 60 * 1000
    expect(await socket.closed).toEqual({
      code: WS_CLOSE.sessionEnded,
      reason: 'session ended: expired',
    })
    expect((await api(server.url, '/api/me', { token: user.token })).status).toBe(401)
  })

  it('keeps a socket whose session was renewed by use after it opened', async () => {
    const DAY = 24 * 60 * 60 * 1000
    const start = Date.now()
    let now = start
    const server = await startServer(
      { SESSION_TTL_DAYS: '3', PRESENCE_SWEEP_INTERVAL_MS: '50' },
      { clock: { now: () => now } },
    )
    const [user, first, second] = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const socket = await ChatClient.connect(server.wsUrl, user!.token)
    const control = await ChatClient.connect(server.wsUrl, first!.token)
    // Two days on, an HTTP call slides the user's session three days forward from then.
    now = start + 2 * DAY
    expect((await api(server.url, '/api/me', { token: user!.token })).status).toBe(200)
    // Past every socket's first-known expiry: the sweep reads the sessions again.
    now = start + 4 * DAY
    expect((await control.closed).code).toBe(WS_CLOSE.sessionEnded)
    // A second control, closed by a later sweep, shows the first sweep has finished with everyone.
    now = start + DAY
    const later = await ChatClient.connect(server.wsUrl, second!.token)
    now = start + 4 * DAY
    expect((await later.closed).code).toBe(WS_CLOSE.sessionEnded)
    expect(socket.socket.readyState).toBe(socket.socket.OPEN)
    await works(socket, 'renewed')
    socket.close()
  })
})
