// What a hostile user sends (issue #15): every refusal is a clear 4xx or error frame, never a 5xx,
// and the socket stays usable.
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { postgresUnavailable } from '../contract/store-factories.js'
import { api, ChatClient, registerUser, uniqueName } from '../support/clients.js'
import { startServer, startServerOnPostgres } from '../support/start-server.js'

const STRONG = 'plum kettle orbit'

describe('message text and cids', () => {
  it.each([
    ['U+0000 in the text', { text: 'a\u0000b', cid: 'n1' }, 'invalid_frame'],
    ['U+0000 in the cid', { text: 'hello', cid: 'c\u0000' }, 'invalid_frame'],
    ['an unpaired surrogate in the text', { text: 'half \uD83D', cid: 'n2' }, 'invalid_frame'],
    ['a control character in the cid', { text: 'hello', cid: 'c\u001b' }, 'invalid_frame'],
    ['only zero-width characters', { text: '\u200B\u200C\u200D\uFEFF', cid: 'z1' }, 'invalid_text'],
    ['only a Hangul filler and a BOM', { text: '\u3164\uFEFF \u2800', cid: 'z2' }, 'invalid_text'],
    ['a terminal escape', { text: '\u001b[2Jgone', cid: 'z3' }, 'invalid_text'],
    [
      'a right-to-left override in a link',
      { text: 'see https://x.example/\u202Eexe.txt', cid: 'b1' },
      'invalid_text',
    ],
    ['a right-to-left isolate', { text: 'a \u2067exe.txt\u2069', cid: 'b2' }, 'invalid_text'],
  ])('refuses %s over WebSocket, keeping the socket', async (_name, fields, code) => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const client = await ChatClient.connect(server.wsUrl, user.token)
    await client.join('lobby')
    client.send({ type: 'send', room: 'lobby', ...fields })
    const error = await client.next('error', (f) => f.code === code)
    expect(error.message.length).toBeGreaterThan(0)
    client.send({ type: 'send', room: 'lobby', text: 'still here', cid: 'after' })
    await client.next('ack', (f) => f.cid === 'after')
    client.close()
  })

  it('refuses U+0000 in text or cid over HTTP with 400, and stores nothing', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    for (const body of [
      { text: 'a\u0000b', cid: 'h1' },
      { text: 'hello', cid: 'h\u0000' },
    ]) {
      const sent = await api(server.url, '/api/rooms/lobby/messages', { body, token: user.token })
      expect(sent.status).toBe(400)
      expect(sent.body).toMatchObject({ error: { code: 'invalid_request' } })
    }
    const rtl = await api(server.url, '/api/rooms/lobby/messages', {
      body: { text: 'x\u202Egpj.exe', cid: 'h3' },
      token: user.token,
    })
    expect(rtl.body).toMatchObject({ error: { code: 'invalid_text' } })
    const history = await api(server.url, '/api/rooms/lobby/messages', { token: user.token })
    expect(history.body).toEqual({ messages: [] })
  })

  it('keeps right-to-left text and the implicit marks (they cannot reorder Latin letters)', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const text = 'שלום \u200Fworld\u200E مرحبا'
    const sent = await api(server.url, '/api/rooms/lobby/messages', {
      body: { text, cid: 'rtl' },
      token: user.token,
    })
    expect(sent.status).toBe(201)
    expect(sent.body).toMatchObject({ message: { text } })
  })
})

describe('names and passwords', () => {
  it('answers a login with U+0000 (or any impossible name) with 401, never 503', async () => {
    const server = await startServer()
    for (const username of ['a\u0000b', '\u0000', 'x'.repeat(200), 'has space', '\uD800']) {
      const r = await api(server.url, '/api/login', {
        body: { username, password: 'whatever-it-is' },
      })
      expect(r.status, JSON.stringify(username)).toBe(401)
      expect(r.body).toMatchObject({ error: { code: 'invalid_credentials' } })
    }
    const register = await api(server.url, '/api/register', {
      body: { username: 'a\u0000b', password: STRONG },
    })
    expect(register.status).toBe(400)
  })

  it('refuses names of only punctuation, and bidi controls, for users and rooms', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    for (const name of ['.', '..', '-', '_', '._-', 'a\u202Eb', '\u2067x']) {
      const r = await api(server.url, '/api/register', {
        body: { username: name, password: STRONG },
      })
      expect(r.status, name).toBe(400)
      const room = await api(server.url, '/api/rooms', { body: { name }, token: user.token })
      expect(room.status, name).toBe(400)
    }
    const fine = await api(server.url, '/api/register', {
      body: { username: `_${uniqueName()}`, password: STRONG },
    })
    expect(fine.status).toBe(201)
  })

  it("refuses look-alikes of the movie bot's name and the words of group mentions", async () => {
    const server = await startServer()
    for (const username of [
      'moviebot',
      'MovieBot',
      'm0viebot',
      'rnoviebot',
      'movie_bot',
      'Movie.B0T',
      'mov1ebot',
      // `@room` mentions every member: a user of that name could never be mentioned alone.
      'room',
      'ROOM',
      'everyone',
    ]) {
      const r = await api(server.url, '/api/register', { body: { username, password: STRONG } })
      expect(r.status, username).toBe(409)
      expect(r.body).toMatchObject({ error: { code: 'username_reserved' } })
    }
    const other = await api(server.url, '/api/register', {
      body: { username: uniqueName('movies'), password: STRONG },
    })
    expect(other.status).toBe(201)
  })

  it('refuses weak passwords with weak_password and a message that says why', async () => {
    const server = await startServer()
    const username = uniqueName('Petra')
    for (const password of [
      'password',
      '12345678',
      '        ',
      'qwertyuiop',
      'iloveyou1',
      username,
      `${username}1`,
      `${username.toUpperCase()}!!`,
    ]) {
      const r = await api(server.url, '/api/register', { body: { username, password } })
      expect(r.status, password).toBe(400)
      expect(r.body).toMatchObject({ error: { code: 'weak_password' } })
      expect((r.body as { error: { message: string } }).error.message).toMatch(
        /common|username|spaces/,
      )
    }
    const ok = await api(server.url, '/api/register', { body: { username, password: STRONG } })
    expect(ok.status).toBe(201)
  })
})

describe('query numbers', () => {
  it('refuses empty, hex, exponent and signed cursors with 400', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    for (const q of [
      'before=',
      'after=',
      'before=0x10',
      'after=0x10',
      'after=1e1',
      'after=+1',
      'after=1.5',
      'after=%201',
      'limit=',
      'limit=0x10',
      'after=1&wait=',
      'after=1&wait=0x1',
    ]) {
      const r = await api(server.url, `/api/rooms/lobby/messages?${q}`, { token: user.token })
      expect(r.status, q).toBe(400)
      expect(r.body).toMatchObject({ error: { code: 'invalid_request' } })
    }
    const ok = await api(server.url, '/api/rooms/lobby/messages?after=0&limit=10&wait=0', {
      token: user.token,
    })
    expect(ok.status).toBe(200)
  })
})

describe('what fails before a route runs', () => {
  function raw(
    url: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(url)
      const req = request({ host: hostname, port, path, headers }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
  }

  it('answers an over-long path segment with 414 in the error shape, not echoing the path', async () => {
    const server = await startServer()
    const long = 'secret'.repeat(40)
    const r = await raw(server.url, `/api/rooms/${long}/messages`)
    expect(r.status).toBe(414)
    expect(JSON.parse(r.body)).toEqual({
      error: { code: 'uri_too_long', message: expect.any(String) as string },
    })
    expect(r.body).not.toContain('secret')
  })

  it('answers oversized headers with 431 in the error shape', async () => {
    const server = await startServer()
    const r = await raw(server.url, `/${'p'.repeat(20_000)}`)
    expect(r.status).toBe(431)
    expect(JSON.parse(r.body)).toEqual({
      error: { code: 'headers_too_large', message: expect.any(String) as string },
    })
  })
})

const pgSkip = await postgresUnavailable()

/** PostgreSQL is the engine that refuses U+0000. */
const startOnPostgres = () => startServerOnPostgres({ RATE_LIMITS: 'off' })

describe.skipIf(pgSkip !== undefined)('on PostgreSQL', () => {
  it('a login with U+0000 in the username answers 401, not 503', async () => {
    const server = await startOnPostgres()
    const r = await api(server.url, '/api/login', {
      body: { username: 'ad\u0000min', password: 'whatever-it-is' },
    })
    expect(r.status).toBe(401)
  })

  it("one sender's U+0000 never fails another sender's messages", async () => {
    const server = await startOnPostgres()
    const [mallory, alice] = await Promise.all([registerUser(server.url), registerUser(server.url)])
    const m = await ChatClient.connect(server.wsUrl, mallory.token)
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    await Promise.all([m.join('lobby'), a.join('lobby')])
    for (let i = 0; i < 15; i++) {
      a.send({ type: 'send', room: 'lobby', text: `innocent ${i}`, cid: `a${i}` })
      if (i === 7) m.send({ type: 'send', room: 'lobby', text: 'x\u0000y', cid: 'poison' })
    }
    const refused = await m.next('error', (f) => f.cid === 'poison')
    expect(refused.code).toBe('invalid_frame')
    const acks = await Promise.all(
      Array.from({ length: 15 }, (_, i) => a.next('ack', (f) => f.cid === `a${i}`)),
    )
    expect(acks.map((f) => f.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
    m.close()
    a.close()
  })
})
