// Long-polling: parked requests answer on the next message, time out empty, and agree with WebSocket on seq.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

type Msg = { seq: number; text: string; cid: string; user: string }

describe('long-poll', () => {
  it('returns at once when something newer exists, else parks until a message arrives', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const posted = await api(server.url, '/api/rooms/lobby/messages', {
      body: { text: 'first', cid: 'a1' },
      token: alice.token,
    })
    const seq = (posted.body as { message: Msg }).message.seq
    const immediate = await api(server.url, `/api/rooms/lobby/messages?after=${seq - 1}&wait=10`, {
      token: bob.token,
    })
    expect((immediate.body as { messages: Msg[] }).messages.map((m) => m.seq)).toEqual([seq])

    const parked = api(server.url, `/api/rooms/lobby/messages?after=${seq}&wait=10`, {
      token: bob.token,
    })
    await expect
      .poll(
        async () =>
          ((await api(server.url, '/healthz')).body as { parkedPolls: number }).parkedPolls,
      )
      .toBe(1)
    const ws = await ChatClient.connect(server.wsUrl, alice.token)
    await ws.join('lobby')
    ws.send({ type: 'send', room: 'lobby', text: 'wake up', cid: 'a2' })
    const answer = await parked
    expect((answer.body as { messages: Msg[] }).messages).toMatchObject([
      { seq: seq + 1, text: 'wake up', user: alice.username },
    ])
    ws.close()
  })

  it('forgets a poll whose client went away: no parked request, no open room feed', async () => {
    const server = await startServer()
    const bob = await registerUser(server.url)
    const health = async () =>
      (await api(server.url, '/healthz')).body as { parkedPolls: number; rooms: number }
    const gone = new AbortController()
    const poll = fetch(`${server.url}/api/rooms/lobby/messages?after=1000&wait=30`, {
      headers: { authorization: `Bearer ${bob.token}` },
      signal: gone.signal,
    }).catch(() => 'aborted')
    await expect.poll(async () => (await health()).parkedPolls).toBe(1)
    gone.abort()
    expect(await poll).toBe('aborted')
    await expect.poll(health).toMatchObject({ parkedPolls: 0, rooms: 0 })
  })

  it('caps the polls one user may have parked: past MAX_POLLS_PER_USER answers 429 too_many_polls', async () => {
    const server = await startServer({ MAX_POLLS_PER_USER: '2' })
    const [bob, carol] = [await registerUser(server.url), await registerUser(server.url)]
    const parkedPolls = async () =>
      ((await api(server.url, '/healthz')).body as { parkedPolls: number }).parkedPolls
    const aborts: AbortController[] = []
    const park = (token: string) => {
      const gone = new AbortController()
      aborts.push(gone)
      return fetch(`${server.url}/api/rooms/lobby/messages?after=1000&wait=30`, {
        headers: { authorization: `Bearer ${token}` },
        signal: gone.signal,
      }).catch(() => 'aborted')
    }
    const first = park(bob.token)
    void park(bob.token)
    await expect.poll(parkedPolls).toBe(2)
    const third = await api(server.url, '/api/rooms/lobby/messages?after=1000&wait=30', {
      token: bob.token,
    })
    expect(third.status).toBe(429)
    expect(third.body).toMatchObject({ error: { code: 'too_many_polls' } })
    // Another user is not affected, and a finished poll frees its place.
    void park(carol.token)
    await expect.poll(parkedPolls).toBe(3)
    aborts[0]!.abort()
    expect(await first).toBe('aborted')
    await expect.poll(parkedPolls).toBe(2)
    void park(bob.token)
    await expect.poll(parkedPolls).toBe(3)
    for (const gone of aborts) gone.abort()
    await expect.poll(parkedPolls).toBe(0)
  })

  it('answers an empty list when the wait ends', async () => {
    const server = await startServer()
    const bob = await registerUser(server.url)
    const started = Date.now()
    const r = await api(server.url, '/api/rooms/lobby/messages?after=1000&wait=1', {
      token: bob.token,
    })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ messages: [] })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('long-poll and WebSocket clients see the same messages with the same seq under concurrent senders', async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const users = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const poller = users[0]!
    const ws = await ChatClient.connect(server.wsUrl, users[1]!.token)
    const start = (await ws.join('lobby')).seq
    const total = 60
    const sends = Array.from({ length: total }, (_, i) => {
      const sender = users[1 + (i % 2)]!
      return api(server.url, '/api/rooms/lobby/messages', {
        body: { text: `t${i}`, cid: `lp${i}` },
        token: sender.token,
      })
    })
    const polled: Msg[] = []
    let cursor = start
    while (polled.length < total) {
      const r = await api(server.url, `/api/rooms/lobby/messages?after=${cursor}&wait=5&limit=7`, {
        token: poller.token,
      })
      const batch = (r.body as { messages: Msg[] }).messages
      polled.push(...batch)
      if (batch.length) cursor = batch[batch.length - 1]!.seq
    }
    await Promise.all(sends)
    await ws.waitForSeq('lobby', start + total)
    expect(polled.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => start + i + 1))
    expect(ws.messages('lobby').map((m) => [m.seq, m.cid])).toEqual(
      polled.map((m) => [m.seq, m.cid]),
    )
    ws.close()
  })

  it('counts a poller as online while it polls and sees it leave after the presence TTL', async () => {
    const server = await startServer({ PRESENCE_TTL_MS: '800', PRESENCE_SWEEP_INTERVAL_MS: '100' })
    const [poller, watcher] = [await registerUser(server.url), await registerUser(server.url)]
    const ws = await ChatClient.connect(server.wsUrl, watcher.token)
    await ws.join('lobby')
    void api(server.url, '/api/rooms/lobby/messages?after=100000&wait=1', { token: poller.token })
    await ws.next('presence', (f) => f.user === poller.username && f.event === 'join')
    await ws.next('presence', (f) => f.user === poller.username && f.event === 'leave')
    // The WebSocket user's own entry is refreshed by the heartbeat and never expires.
    expect(ws.frames.some((f) => f.type === 'presence' && f.user === watcher.username)).toBe(false)
    ws.close()
  })
})
