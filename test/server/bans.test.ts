// Server admins (ADMIN_USERS) over real HTTP and sockets: bans and closed registration.
import { describe, expect, it } from 'vitest'
import { WS_CLOSE } from '../../src/protocol/error-codes.js'
import { api, ChatClient, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

const ban = (url: string, username: string, token: string, method = 'POST') =>
  api(url, `/api/admin/users/${username}/ban`, { method, token })

describe('bans', () => {
  it('an admin bans: sessions revoked, sockets closed (4003), login refused; unban restores', async () => {
    const root = uniqueName('root')
    const server = await startServer({ ADMIN_USERS: `someone_else, ${root.toUpperCase()}` })
    const admin = await registerUser(server.url, root)
    const mallory = await registerUser(server.url)
    const bystander = await registerUser(server.url)
    const me = await api(server.url, '/api/me', { token: admin.token })
    expect(me.body).toMatchObject({ admin: true })
    expect((await api(server.url, '/api/me', { token: mallory.token })).body).toMatchObject({
      admin: false,
    })
    const sockets = await Promise.all([
      ChatClient.connect(server.wsUrl, mallory.token),
      ChatClient.connect(server.wsUrl, mallory.token),
    ])
    const watcher = await ChatClient.connect(server.wsUrl, bystander.token)

    const byNonAdmin = await ban(server.url, bystander.username, mallory.token)
    expect(byNonAdmin.status).toBe(403)
    expect(byNonAdmin.body).toMatchObject({ error: { code: 'not_admin' } })
    const unknown = await ban(server.url, 'nobody_here', admin.token)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: { code: 'user_not_found' } })
    const onAdmin = await ban(server.url, root, admin.token)
    expect(onAdmin.status).toBe(403)
    expect(onAdmin.body).toMatchObject({ error: { code: 'cannot_ban_admin' } })

    expect((await ban(server.url, mallory.username, admin.token)).status).toBe(204)
    for (const socket of sockets) {
      expect(await socket.closed).toEqual({
        code: WS_CLOSE.accountBanned,
        reason: 'account banned',
      })
    }
    expect((await api(server.url, '/api/me', { token: mallory.token })).status).toBe(401)
    const refused = await api(server.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ error: { code: 'banned' } })
    // A wrong password learns nothing about the ban.
    const guess = await api(server.url, '/api/login', {
      body: { username: mallory.username, password: 'not the password' },
    })
    expect(guess.status).toBe(401)
    await expect(ChatClient.connect(server.wsUrl, mallory.token)).rejects.toThrow('HTTP 401')
    // Nobody else was touched.
    await watcher.join('lobby')

    expect((await ban(server.url, mallory.username, admin.token, 'DELETE')).status).toBe(204)
    const back = await api(server.url, '/api/login', {
      body: { username: mallory.username, password: mallory.password },
    })
    expect(back.status).toBe(200)
    const token = (back.body as { token: string }).token
    const again = await ChatClient.connect(server.wsUrl, token)
    await again.join('lobby')
    // The old session stays revoked.
    expect((await api(server.url, '/api/me', { token: mallory.token })).status).toBe(401)
    again.close()
    watcher.close()
  })
})

describe('REGISTRATION=closed', () => {
  it('refuses sign-up except to a signed-in admin, who creates accounts and stays signed in', async () => {
    const root = uniqueName('root')
    const server = await startServer({ REGISTRATION: 'closed', ADMIN_USERS: root })
    const closed = await api(server.url, '/api/register', {
      body: { username: uniqueName(), password: 'plum orbit cascade' },
    })
    expect(closed.status).toBe(403)
    expect(closed.body).toMatchObject({ error: { code: 'registration_closed' } })

    // The first admin can still claim the name ADMIN_USERS gives them.
    const admin = await registerUser(server.url, root)
    const bob = uniqueName('bob')
    const created = await api(server.url, '/api/register', {
      token: admin.token,
      body: { username: bob, password: 'plum orbit cascade' },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ user: { username: bob } })
    expect(Object.keys(created.body as object)).toEqual(['user'])
    expect(created.headers.get('set-cookie')).toBeNull()
    const bobLogin = await api(server.url, '/api/login', {
      body: { username: bob, password: 'plum orbit cascade' },
    })
    expect(bobLogin.status).toBe(200)
    const bobToken = (bobLogin.body as { token: string }).token

    // A non-admin cannot create accounts either.
    const byBob = await api(server.url, '/api/register', {
      token: bobToken,
      body: { username: uniqueName(), password: 'plum orbit cascade' },
    })
    expect(byBob.status).toBe(403)
    expect(byBob.body).toMatchObject({ error: { code: 'registration_closed' } })

    // With the cookie, the admin needs the CSRF token, and keeps their own cookie.
    const noCsrf = await api(server.url, '/api/register', {
      headers: { cookie: admin.cookie },
      body: { username: uniqueName(), password: 'plum orbit cascade' },
    })
    expect(noCsrf.status).toBe(403)
    expect(noCsrf.body).toMatchObject({ error: { code: 'csrf_failed' } })
    const byCookie = await api(server.url, '/api/register', {
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      body: { username: uniqueName(), password: 'plum orbit cascade' },
    })
    expect(byCookie.status).toBe(201)
    expect(byCookie.headers.get('set-cookie')).toBeNull()
    const stillAdmin = await api(server.url, '/api/me', { headers: { cookie: admin.cookie } })
    expect(stillAdmin.body).toMatchObject({ user: { username: root }, admin: true })
  })

  it('is open by default', async () => {
    const server = await startServer()
    await registerUser(server.url)
  })
})
