// Accounts over real HTTP: register, login, logout, me, throttling, CSRF on cookie-authenticated writes.
import { describe, expect, it } from 'vitest'
import { api, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

describe('accounts', () => {
  it('registers with an HttpOnly SameSite=Lax session cookie and answers /api/me', async () => {
    const server = await startServer()
    const username = uniqueName('Alice')
    const response = await fetch(`${server.url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'plum kettle orbit' }),
    })
    expect(response.status).toBe(201)
    const body = (await response.json()) as { user: { username: string }; token: string }
    expect(body.user.username).toBe(username)
    expect(body.token.length).toBeGreaterThanOrEqual(22)
    const cookie = response.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^sid=/)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    const me = await api(server.url, '/api/me', { headers: { cookie: cookie.split(';')[0] ?? '' } })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ user: { username } })
  })

  it('rejects taken names ignoring case, bad names and short passwords', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const taken = await api(server.url, '/api/register', {
      body: { username: user.username.toUpperCase(), password: 'plum kettle orbit' },
    })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ error: { code: 'username_taken' } })
    for (const username of ['', 'a'.repeat(33), 'has space', '<script>', 'ümlaut']) {
      const bad = await api(server.url, '/api/register', {
        body: { username, password: 'plum kettle orbit' },
      })
      expect(bad.status, username).toBe(400)
      expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } })
    }
    const short = await api(server.url, '/api/register', {
      body: { username: uniqueName(), password: 'short' },
    })
    expect(short.status).toBe(400)
    const long = await api(server.url, '/api/register', {
      body: { username: uniqueName(), password: 'x'.repeat(1025) },
    })
    expect(long.status).toBe(400)
    const extra = await api(server.url, '/api/register', {
      body: { username: uniqueName(), password: 'plum kettle orbit', admin: true },
    })
    expect(extra.status).toBe(400)
  })

  it('logs in, and answers unknown user and wrong password with the same 401', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const ok = await api(server.url, '/api/login', {
      body: { username: user.username, password: user.password },
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ user: { id: user.id, username: user.username } })
    const wrong = await api(server.url, '/api/login', {
      body: { username: user.username, password: 'nope-nope-nope' },
    })
    const unknown = await api(server.url, '/api/login', {
      body: { username: uniqueName(), password: 'nope-nope-nope' },
    })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(unknown.body).toEqual(wrong.body)
  })

  it('throttles login attempts per username and address with 429 and Retry-After', async () => {
    const server = await startServer({ LOGIN_ATTEMPTS_PER_MINUTE: '3' })
    const user = await registerUser(server.url)
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 5; i++) {
      const r = await api(server.url, '/api/login', {
        body: { username: user.username, password: 'wrong-password' },
      })
      statuses.push(r.status)
      if (r.status === 429) retryAfter = r.headers.get('retry-after')
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    expect(statuses[3]).toBe(429)
    expect(Number(retryAfter)).toBeGreaterThan(0)
  })

  it('an address that used up its guesses does not lock the owner out from another address', async () => {
    const server = await startServer({
      TRUST_PROXY: '1',
      LOGIN_ATTEMPTS_PER_MINUTE: '3',
      LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '5',
      LOGIN_ATTEMPTS_PER_USER_PER_MINUTE: '4',
      LOGIN_SLOWDOWN_MS: '50',
    })
    const owner = await registerUser(server.url)
    const login = (from: string, username: string, password: string) =>
      api(server.url, '/api/login', {
        body: { username, password },
        headers: { 'x-forwarded-for': from },
      })
    const attacker = '203.0.113.7'
    const guesses: number[] = []
    for (let i = 0; i < 6; i++)
      guesses.push((await login(attacker, owner.username, 'guess')).status)
    expect(guesses).toEqual([401, 401, 401, 429, 429, 429])
    // Past the username's own ceiling now, yet its owner signs in from home (slowed, not refused).
    expect((await login('198.51.100.2', owner.username, owner.password)).status).toBe(200)
    // A second attacker address gets its own few guesses, no more, and slows nobody out.
    const second: number[] = []
    for (let i = 0; i < 4; i++)
      second.push((await login('203.0.113.8', owner.username, 'x')).status)
    expect(second).toEqual([401, 401, 401, 429])
    expect((await login('198.51.100.2', owner.username, owner.password)).status).toBe(200)
    // One address spraying many usernames hits its per-address limit.
    const spray: number[] = []
    for (let i = 0; i < 6; i++) spray.push((await login('192.0.2.9', uniqueName(), 'x')).status)
    expect(spray).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('logout revokes the session', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    expect((await api(server.url, '/api/me', { token: user.token })).status).toBe(200)
    expect(
      (await api(server.url, '/api/logout', { method: 'POST', token: user.token })).status,
    ).toBe(204)
    expect((await api(server.url, '/api/me', { token: user.token })).status).toBe(401)
    expect((await api(server.url, '/api/me')).status).toBe(401)
  })

  it('requires the CSRF token and a same-site Origin on cookie-authenticated writes', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const body = { name: uniqueName('room').toLowerCase() }
    const noToken = await api(server.url, '/api/rooms', { body, headers: { cookie: user.cookie } })
    expect(noToken.status).toBe(403)
    expect(noToken.body).toMatchObject({ error: { code: 'csrf_failed' } })
    const foreign = await api(server.url, '/api/rooms', {
      body,
      headers: {
        cookie: user.cookie,
        'x-csrf-token': user.csrfToken,
        origin: 'https://evil.example',
      },
    })
    expect(foreign.status).toBe(403)
    expect(foreign.body).toMatchObject({ error: { code: 'forbidden_origin' } })
    const ok = await api(server.url, '/api/rooms', {
      body,
      headers: { cookie: user.cookie, 'x-csrf-token': user.csrfToken, origin: server.url },
    })
    expect(ok.status).toBe(201)
    // Bearer tokens are not ambient credentials: no CSRF token needed.
    const bearer = await api(server.url, '/api/rooms', {
      body: { name: uniqueName('r').toLowerCase() },
      token: user.token,
    })
    expect(bearer.status).toBe(201)
  })

  it('refuses a login posted from a foreign origin (login CSRF)', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const r = await api(server.url, '/api/login', {
      body: { username: user.username, password: user.password },
      headers: { origin: 'https://evil.example' },
    })
    expect(r.status).toBe(403)
  })
})
