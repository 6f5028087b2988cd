// Real-time chat over /chat: upgrade checks, fan-out, acks, presence by username, typing.
import WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    socket.once('open', () => {
      socket.close()
      resolve(101)
    })
    socket.once('error', reject)
  })
}

describe('/chat upgrade', () => {
  it('answers 401 without a session and 403 for a foreign Origin (cross-site WebSocket hijacking)', async () => {
    const server = await startServer({ ALLOWED_ORIGINS: 'https://chat.example' })
    const user = await registerUser(server.url)
    expect(await upgradeStatus(server.wsUrl, {})).toBe(401)
    expect(
      await upgradeStatus(server.wsUrl, { authorization: 'Bearer not-a-real-token-at-all' }),
    ).toBe(401)
    expect(
      await upgradeStatus(server.wsUrl, { cookie: user.cookie, origin: 'https://evil.example' }),
    ).toBe(403)
    expect(await upgradeStatus(server.wsUrl, { cookie: user.cookie, origin: server.url })).toBe(101)
    expect(
      await upgradeStatus(server.wsUrl, { cookie: user.cookie, origin: 'https://chat.example' }),
    ).toBe(101)
    expect(await upgradeStatus(server.wsUrl, { authorization: `Bearer ${user.token}` })).toBe(101)
  })

  it('caps connections per user with 429', async () => {
    const server = await startServer({ MAX_CONNECTIONS_PER_USER: '2' })
    const user = await registerUser(server.url)
    const a = await ChatClient.connect(server.wsUrl, user.token)
    const b = await ChatClient.connect(server.wsUrl, user.token)
    expect(await upgradeStatus(server.wsUrl, { authorization: `Bearer ${user.token}` })).toBe(429)
    a.close()
    await a.closed
    await expect
      .poll(() => upgradeStatus(server.wsUrl, { authorization: `Bearer ${user.token}` }))
      .toBe(101)
    b.close()
  })

  it('drops a peer that stops answering pings and keeps one that answers', async () => {
    const server = await startServer({ HEARTBEAT_INTERVAL_MS: '100' })
    const user = await registerUser(server.url)
    const answering = await ChatClient.connect(server.wsUrl, user.token)
    const silent = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${user.token}` },
      autoPong: false,
    })
    const silentClosed = new Promise<number>((resolve) => silent.once('close', resolve))
    await new Promise((resolve) => silent.once('open', resolve))
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await silentClosed).toBe(1006)
    // Two more heartbeat rounds: the answering peer got (and answered) their pings and stays.
    await new Promise<void>((resolve) => {
      let pings = 0
      answering.socket.on('ping', () => {
        if (++pings === 2) resolve()
      })
    })
    expect(answering.socket.readyState).toBe(WebSocket.OPEN)
    expect((await answering.join('lobby')).type).toBe('joined')
    answering.close()
  })
})

describe('chat', () => {
  it('fans a message out to everyone in the room, sender included, and acks after storing', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    const b = await ChatClient.connect(server.wsUrl, bob.token)
    await a.join('lobby')
    const joined = await b.join('lobby')
    expect(joined.online).toEqual(expect.arrayContaining([alice.username, bob.username]))
    a.send({ type: 'send', room: 'lobby', text: 'hello <b>bob</b>', cid: 'c1' })
    const ack = await a.next('ack', (f) => f.cid === 'c1')
    const got = await b.next('message', (f) => f.cid === 'c1')
    expect(got).toMatchObject({
      room: 'lobby',
      user: alice.username,
      text: 'hello <b>bob</b>',
      seq: ack.seq,
    })
    expect(typeof got.ts).toBe('number')
    expect(typeof got.id).toBe('string')
    await a.next('message', (f) => f.cid === 'c1')
    const history = await api(server.url, `/api/rooms/lobby/messages?after=${ack.seq - 1}`, {
      token: bob.token,
    })
    expect(history.body).toMatchObject({ messages: [{ seq: ack.seq, text: 'hello <b>bob</b>' }] })
    a.close()
    b.close()
  })

  it('keeps rooms apart', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const room = uniqueName('room').toLowerCase()
    expect(
      (await api(server.url, '/api/rooms', { body: { name: room }, token: alice.token })).status,
    ).toBe(201)
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    const b = await ChatClient.connect(server.wsUrl, (await registerUser(server.url)).token)
    await a.join(room)
    await b.join('lobby')
    a.send({ type: 'send', room, text: 'only here', cid: 'x' })
    await a.next('ack', (f) => f.cid === 'x')
    b.send({ type: 'send', room: 'lobby', text: 'lobby talk', cid: 'y' })
    await b.next('message', (f) => f.cid === 'y')
    expect(b.messages(room)).toHaveLength(0)
    expect(a.messages('lobby')).toHaveLength(0)
    a.close()
    b.close()
  })

  it('announces presence by username: first tab joins, last tab leaves', async () => {
    // A short leave grace: the grace itself is room-presence.test.ts's subject, not this one's.
    const server = await startServer({ PRESENCE_LEAVE_GRACE_MS: '100' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const watcher = await ChatClient.connect(server.wsUrl, bob.token)
    await watcher.join('lobby')
    const tab1 = await ChatClient.connect(server.wsUrl, alice.token)
    await tab1.join('lobby')
    await watcher.next('presence', (f) => f.user === alice.username && f.event === 'join')
    const tab2 = await ChatClient.connect(server.wsUrl, alice.token)
    await tab2.join('lobby')
    tab1.close()
    await tab1.closed
    // A second tab keeps alice online: no leave yet.
    const probe = await registerUser(server.url)
    const p = await ChatClient.connect(server.wsUrl, probe.token)
    const joined = await p.join('lobby')
    expect(joined.online).toContain(alice.username)
    tab2.close()
    await watcher.next('presence', (f) => f.user === alice.username && f.event === 'leave')
    const presence = watcher.frames.filter(
      (f) => f.type === 'presence' && f.user === alice.username,
    )
    expect(presence.map((f) => (f.type === 'presence' ? f.event : ''))).toEqual(['join', 'leave'])
    watcher.close()
    p.close()
  })

  it('keeps a joined user online past the presence TTL (the heartbeat refreshes its entry)', async () => {
    const server = await startServer({
      PRESENCE_TTL_MS: '500',
      PRESENCE_SWEEP_INTERVAL_MS: '50',
      PRESENCE_LEAVE_GRACE_MS: '100',
    })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    await a.join('lobby')
    // A sleep on purpose: the claim is that nothing (no eviction) happens in three TTLs' time.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const b = await ChatClient.connect(server.wsUrl, bob.token)
    expect((await b.join('lobby')).online).toContain(alice.username)
    expect(a.frames.some((f) => f.type === 'presence' && f.event === 'leave')).toBe(false)
    a.close()
    await b.next('presence', (f) => f.user === alice.username && f.event === 'leave')
    b.close()
  })

  it('relays typing to the room', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    const b = await ChatClient.connect(server.wsUrl, bob.token)
    await a.join('lobby')
    await b.join('lobby')
    a.send({ type: 'typing', room: 'lobby' })
    expect(await b.next('typing')).toMatchObject({ room: 'lobby', user: alice.username })
    a.close()
    b.close()
  })

  it('lists and creates rooms with the name rules', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const created = await api(server.url, '/api/rooms', {
      body: { name: 'Team-Room_1' },
      token: user.token,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ room: { name: 'team-room_1', lastSeq: 0 } })
    const again = await api(server.url, '/api/rooms', {
      body: { name: 'TEAM-ROOM_1' },
      token: user.token,
    })
    expect(again.status).toBe(409)
    const bad = await api(server.url, '/api/rooms', {
      body: { name: 'no spaces' },
      token: user.token,
    })
    expect(bad.status).toBe(400)
    const list = await api(server.url, '/api/rooms', { token: user.token })
    const names = (list.body as { rooms: Array<{ name: string }> }).rooms.map((r) => r.name)
    expect(names).toEqual(expect.arrayContaining(['lobby', 'team-room_1']))
    expect((await api(server.url, '/api/rooms')).status).toBe(401)
  })
})
