// Private rooms and DMs on every read path: a non-member gets exactly what a missing room gets (404
// room_not_found), a member gets the data.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

interface Setup {
  server: TestServer
  owner: TestUser
  member: TestUser
  outsider: TestUser
  room: string
}

async function privateRoom(): Promise<Setup> {
  const server = await startServer()
  const [owner, member, outsider] = [
    await registerUser(server.url),
    await registerUser(server.url),
    await registerUser(server.url),
  ]
  const room = 'secret'
  const created = await api(server.url, '/api/rooms', {
    token: owner.token,
    body: { name: room, visibility: 'private', topic: 'plans' },
  })
  expect(created.status).toBe(201)
  expect(created.body).toMatchObject({ room: { name: room, kind: 'private', topic: 'plans' } })
  const invited = await api(server.url, `/api/rooms/${room}/members`, {
    token: owner.token,
    body: { username: member.username },
  })
  expect(invited.status).toBe(201)
  const posted = await api(server.url, `/api/rooms/${room}/messages`, {
    token: owner.token,
    body: { text: 'for members only', cid: 'p1' },
  })
  expect(posted.status).toBe(201)
  return { server, owner, member, outsider, room }
}

/** The non-member's answer must be the missing room's, byte for byte. */
async function expectHidden(server: TestServer, user: TestUser, path: string, body?: unknown) {
  const init = body === undefined ? { token: user.token } : { token: user.token, body }
  const hidden = await api(server.url, path.replace('{room}', 'secret'), init)
  const missing = await api(server.url, path.replace('{room}', 'no-such-room'), init)
  expect(hidden.status).toBe(404)
  expect(hidden.body).toEqual(missing.body)
  expect(hidden.body).toMatchObject({ error: { code: 'room_not_found' } })
}

describe('private rooms on every read path', () => {
  it('HTTP: room, timeline, log, long-poll, online, members, posting and read marks', async () => {
    const { server, member, outsider, room } = await privateRoom()
    const paths = [
      '/api/rooms/{room}',
      '/api/rooms/{room}/messages',
      '/api/rooms/{room}/messages?before=10',
      '/api/rooms/{room}/messages?after=0',
      '/api/rooms/{room}/messages?after=100&wait=5',
      '/api/rooms/{room}/online',
      '/api/rooms/{room}/members',
    ]
    for (const path of paths) {
      await expectHidden(server, outsider, path)
      // The member's parked long-poll is the next test's.
      if (path.includes('wait=')) continue
      const allowed = await api(server.url, path.replace('{room}', room), { token: member.token })
      expect(allowed.status, path).toBe(200)
    }
    await expectHidden(server, outsider, '/api/rooms/{room}/messages', { text: 'x', cid: 'o1' })
    await expectHidden(server, outsider, '/api/rooms/{room}/read', { seq: 1 })
    // A preview image is read through the room too: the check answers before any preview lookup.
    await expectHidden(
      server,
      outsider,
      '/api/rooms/{room}/messages/2/previews/image?url=https%3A%2F%2Fexample.com%2F',
    )

    const timeline = await api(server.url, `/api/rooms/${room}/messages`, { token: member.token })
    expect((timeline.body as { messages: unknown[] }).messages).toMatchObject([
      { text: 'for members only' },
    ])
    const log = await api(server.url, `/api/rooms/${room}/messages?after=0`, {
      token: member.token,
    })
    expect((log.body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'member', seq: 1, op: 'invite', subject: member.username, role: 'member' },
      { type: 'message', seq: 2, text: 'for members only' },
    ])
    const members = await api(server.url, `/api/rooms/${room}/members`, { token: member.token })
    expect((members.body as { members: unknown[] }).members).toHaveLength(2)
    const posted = await api(server.url, `/api/rooms/${room}/messages`, {
      token: member.token,
      body: { text: 'member here', cid: 'm1' },
    })
    expect(posted.status).toBe(201)
    const read = await api(server.url, `/api/rooms/${room}/read`, {
      token: member.token,
      body: { seq: 3 },
    })
    expect(read.status).toBe(204)
  })

  it('a member parks a long-poll and gets the next event; the list of rooms shows kinds', async () => {
    const { server, owner, member, outsider, room } = await privateRoom()
    const parked = api(server.url, `/api/rooms/${room}/messages?after=2&wait=10`, {
      token: member.token,
    })
    await expect
      .poll(
        async () =>
          ((await api(server.url, '/healthz')).body as { parkedPolls: number }).parkedPolls,
      )
      .toBe(1)
    await api(server.url, `/api/rooms/${room}/messages`, {
      token: owner.token,
      body: { text: 'wake', cid: 'w1' },
    })
    expect(((await parked).body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'message', seq: 3, text: 'wake' },
    ])

    const names = async (user: TestUser) =>
      (
        (await api(server.url, '/api/rooms', { token: user.token })).body as {
          rooms: Array<{ name: string; kind: string }>
        }
      ).rooms
    expect(await names(member)).toContainEqual(
      expect.objectContaining({ name: room, kind: 'private' }),
    )
    expect((await names(outsider)).map((r) => r.name)).not.toContain(room)
    expect(await names(outsider)).toContainEqual(
      expect.objectContaining({ name: 'lobby', kind: 'public' }),
    )
  })

  it('WebSocket: join, replay, sending and typing', async () => {
    const { server, owner, member, outsider, room } = await privateRoom()
    const stranger = await ChatClient.connect(server.wsUrl, outsider.token)
    for (const frame of [
      { type: 'join', room },
      { type: 'join', room, since: 0 },
      { type: 'send', room, text: 'let me in', cid: 's1' },
      { type: 'typing', room },
      { type: 'read', room, seq: 1 },
    ]) {
      stranger.send(frame)
      const error = await stranger.next('error', () => true, 10_000, true)
      expect(error, JSON.stringify(frame)).toMatchObject({ code: 'room_not_found', room })
    }
    stranger.send({ type: 'join', room: 'no-such-room' })
    expect(await stranger.next('error', () => true, 10_000, true)).toMatchObject({
      code: 'room_not_found',
      message: (stranger.frames.at(-2) as { message: string }).message,
    })

    const reader = await ChatClient.connect(server.wsUrl, member.token)
    const joined = await reader.join(room, 0)
    expect(joined.seq).toBe(2)
    await reader.next('message', (f) => f.seq === 2)
    expect(reader.frames.filter((f) => f.type === 'member' || f.type === 'message')).toMatchObject([
      { type: 'member', seq: 1, op: 'invite' },
      { type: 'message', seq: 2, text: 'for members only' },
    ])
    const writer = await ChatClient.connect(server.wsUrl, owner.token)
    await writer.join(room)
    writer.send({ type: 'typing', room })
    await reader.next('typing', (f) => f.user === owner.username)
    reader.send({ type: 'send', room, text: 'hello', cid: 'r1' })
    expect((await reader.next('ack', (f) => f.cid === 'r1')).seq).toBe(3)
    await writer.next('message', (f) => f.seq === 3)
    // The stranger saw nothing of the room.
    expect(stranger.frames.filter((f) => f.type !== 'error')).toEqual([])
    for (const c of [stranger, reader, writer]) c.close()
  })
})
