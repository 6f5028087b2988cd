// The tutorial's lesson as a guarantee: slow upstream calls (movies, link previews) never block chat.
import type http from 'node:http'
import { describe, expect, it } from 'vitest'
import { useLocalServers } from '../upstream/support/local-server.js'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

const MOVIES = { subjects: [{ title: 'Spirited Away' }, { title: 'Oldboy' }, { title: 'Amélie' }] }

describe('upstream calls over the real server', () => {
  const localServer = useLocalServers()

  it('GET /api/movies returns the upstream JSON, cached: one upstream call for many requests', async () => {
    const upstream = await localServer((_req, res) => {
      setTimeout(
        () =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MOVIES)),
        100,
      )
    })
    const server = await startServer({
      MOVIES_UPSTREAM_URL: `${upstream.url}/movies`,
      ALLOW_PRIVATE_UPSTREAMS: '1',
    })
    const user = await registerUser(server.url)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api(server.url, '/api/movies', { token: user.token })),
    )
    for (const a of answers) expect(a).toMatchObject({ status: 200, body: MOVIES })
    expect(upstream.hits.get('/movies')).toBe(1)
  })

  it.each([
    ['a failing upstream', (res: http.ServerResponse) => res.writeHead(500).end('boom')],
    [
      'a non-JSON answer',
      (res: http.ServerResponse) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    ],
  ])('answers 502 upstream_error for %s, and keeps serving', async (_name, answer) => {
    const upstream = await localServer((_req, res) => answer(res))
    const server = await startServer({
      MOVIES_UPSTREAM_URL: `${upstream.url}/m`,
      ALLOW_PRIVATE_UPSTREAMS: '1',
    })
    const user = await registerUser(server.url)
    const r = await api(server.url, '/api/movies', { token: user.token })
    expect(r.status).toBe(502)
    expect(r.body).toMatchObject({ error: { code: 'upstream_error' } })
    expect((await api(server.url, '/healthz')).status).toBe(200)
  })

  it('refuses a private upstream unless ALLOW_PRIVATE_UPSTREAMS=1 (SSRF guard)', async () => {
    const upstream = await localServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    )
    const server = await startServer({ MOVIES_UPSTREAM_URL: `${upstream.url}/m` })
    const user = await registerUser(server.url)
    expect((await api(server.url, '/api/movies', { token: user.token })).status).toBe(502)
    expect(upstream.hits.size).toBe(0)
  })

  it('delivers chat while 200 movie requests are parked on an upstream that has not answered', async () => {
    const held: http.ServerResponse[] = []
    const upstream = await localServer((_req, res) => held.push(res))
    const server = await startServer({
      MOVIES_UPSTREAM_URL: `${upstream.url}/slow`,
      ALLOW_PRIVATE_UPSTREAMS: '1',
      UPSTREAM_TIMEOUT_MS: '20000',
    })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    const b = await ChatClient.connect(server.wsUrl, bob.token)
    await a.join('lobby')
    await b.join('lobby')
    let answered = 0
    const parked = Array.from({ length: 200 }, () =>
      api(server.url, '/api/movies', { token: alice.token }).then((r) => {
        answered++
        return r
      }),
    )
    await expect.poll(() => held.length).toBe(1)
    a.send({ type: 'send', room: 'lobby', text: 'still fast?', cid: 'fast' })
    await b.next('message', (f) => f.cid === 'fast')
    // The chat message went through while every movie request was still waiting on the upstream.
    expect(answered).toBe(0)
    for (const res of held)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MOVIES))
    const results = await Promise.all(parked)
    expect(results.every((r) => r.status === 200)).toBe(true)
    a.close()
    b.close()
  })

  it('/movies makes the movie bot post the top titles to the room', async () => {
    const upstream = await localServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MOVIES)),
    )
    const server = await startServer({
      MOVIES_UPSTREAM_URL: `${upstream.url}/m`,
      ALLOW_PRIVATE_UPSTREAMS: '1',
    })
    const user = await registerUser(server.url)
    const c = await ChatClient.connect(server.wsUrl, user.token)
    await c.join('lobby')
    c.send({ type: 'send', room: 'lobby', text: '/movies', cid: 'cmd' })
    const answer = await c.next('message', (f) => f.user === 'moviebot')
    expect(answer.text).toContain('Spirited Away')
    expect(answer.text).toContain('Oldboy')
    const taken = await api(server.url, '/api/register', {
      body: { username: 'MovieBot', password: 'password123' },
    })
    expect(taken.status).toBe(409)
    c.close()
  })

  it('fetches link previews in the background, pushes a preview frame and keeps it in history', async () => {
    const page = await localServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><head><meta property="og:title" content="Eddy &amp; friends"><meta property="og:description" content="A chat"></head></html>',
        ),
    )
    const server = await startServer({ ALLOW_PRIVATE_UPSTREAMS: '1' })
    const user = await registerUser(server.url)
    const c = await ChatClient.connect(server.wsUrl, user.token)
    await c.join('lobby')
    const url = `${page.url}/article`
    c.send({ type: 'send', room: 'lobby', text: `look at ${url} please`, cid: 'link' })
    const ack = await c.next('ack', (f) => f.cid === 'link')
    const preview = await c.next('preview')
    expect(preview).toMatchObject({
      room: 'lobby',
      seq: ack.seq,
      url,
      title: 'Eddy & friends',
      description: 'A chat',
    })
    const history = await api(server.url, `/api/rooms/lobby/messages?after=${ack.seq - 1}`, {
      token: user.token,
    })
    expect(history.body).toMatchObject({
      messages: [{ seq: ack.seq, previews: [{ url, title: 'Eddy & friends' }] }],
    })
    c.close()
  })
})
