// Direct messages, the caller's rooms with unread and mention counts, and read marks that move forward only.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

interface MyRoom {
  name: string
  kind: string
  role: string
  lastSeq: number
  readSeq: number
  unread: number
  mentions: number
  members?: string[]
}

async function myRooms(server: TestServer, user: TestUser): Promise<MyRoom[]> {
  const response = await api(server.url, '/api/me/rooms', { token: user.token })
  expect(response.status).toBe(200)
  return (response.body as { rooms: MyRoom[] }).rooms
}

async function post(server: TestServer, user: TestUser, room: string, text: string) {
  const r = await api(server.url, `/api/rooms/${room}/messages`, {
    token: user.token,
    body: { text, cid: `${user.username}-${text.length}-${Math.random()}` },
  })
  expect(r.status).toBe(201)
  return (r.body as { message: { seq: number } }).message.seq
}

describe('my rooms, DMs and read state', () => {
  it('a new user is a member of the lobby only, and nobody else is joined to a new room', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    await api(server.url, '/api/rooms', { token: alice.token, body: { name: 'alices' } })
    expect((await myRooms(server, bob)).map((r) => r.name)).toEqual(['lobby'])
    expect(await myRooms(server, alice)).toMatchObject([
      { name: 'alices', kind: 'public', role: 'owner', lastSeq: 0, unread: 0 },
      { name: 'lobby', kind: 'public', role: 'member' },
    ])
    expect((await api(server.url, '/api/me/rooms')).status).toBe(401)
  })

  it('DMs: the same set gives the same room, every member sees it, nobody else gets in', async () => {
    const server = await startServer()
    const [alice, bob, carol, eve] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ]
    const open = (by: TestUser, users: string[]) =>
      api(server.url, '/api/dms', { token: by.token, body: { users } })
    const first = await open(alice, [bob.username, carol.username])
    expect(first.status).toBe(201)
    const room = (first.body as { room: { name: string; kind: string } }).room
    expect(room.kind).toBe('dm')
    expect(room.name).toMatch(/^dm-[0-9a-f]+$/)
    const again = await open(carol, [bob.username.toUpperCase(), alice.username, carol.username])
    expect(again.status).toBe(200)
    expect((again.body as { room: { name: string } }).room.name).toBe(room.name)
    // A different set is a different room.
    const pair = await open(alice, [bob.username])
    expect((pair.body as { room: { name: string } }).room.name).not.toBe(room.name)

    const mine = (await myRooms(server, bob)).find((r) => r.name === room.name)
    expect(mine).toMatchObject({ kind: 'dm', role: 'member' })
    expect(mine?.members).toEqual(
      [alice.username, bob.username, carol.username].sort((a, b) =>
        a.toLowerCase() < b.toLowerCase() ? -1 : 1,
      ),
    )

    // Outsiders: not listed, cannot read, join or add themselves; members cannot add them either.
    const eveRooms = await api(server.url, '/api/rooms', { token: eve.token })
    expect(
      (eveRooms.body as { rooms: Array<{ name: string }> }).rooms.map((r) => r.name),
    ).not.toContain(room.name)
    expect(
      (await api(server.url, `/api/rooms/${room.name}/messages`, { token: eve.token })).status,
    ).toBe(404)
    const selfAdd = await api(server.url, `/api/rooms/${room.name}/members`, {
      token: eve.token,
      body: { username: eve.username },
    })
    expect(selfAdd.status).toBe(404)
    const added = await api(server.url, `/api/rooms/${room.name}/members`, {
      token: alice.token,
      body: { username: eve.username },
    })
    expect(added.status).toBe(403)
    const socket = await ChatClient.connect(server.wsUrl, eve.token)
    socket.send({ type: 'join', room: room.name })
    expect((await socket.next('error')).code).toBe('room_not_found')
    socket.close()

    const seq = await post(server, alice, room.name, 'hi both')
    const log = await api(server.url, `/api/rooms/${room.name}/messages?after=0`, {
      token: carol.token,
    })
    expect((log.body as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)).toEqual([
      seq,
    ])
  })

  it('DMs refuse yourself only, ten people, and unknown users', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const others = await Promise.all(Array.from({ length: 9 }, () => registerUser(server.url)))
    const open = (users: string[]) =>
      api(server.url, '/api/dms', { token: alice.token, body: { users } })
    const self = await open([alice.username])
    expect(self.status).toBe(400)
    expect((self.body as { error: { code: string } }).error.code).toBe('invalid_request')
    expect((await open(others.map((o) => o.username))).status).toBe(400)
    const unknown = await open([others[0]!.username, 'no_such_user'])
    expect(unknown.status).toBe(404)
    expect((unknown.body as { error: { code: string } }).error.code).toBe('user_not_found')
    expect((await open(others.slice(0, 8).map((o) => o.username))).status).toBe(201)
    expect((await myRooms(server, alice)).filter((r) => r.kind === 'dm')).toHaveLength(1)
  })

  it('unread counts others\u2019 messages after the read mark; mentions count @name; marks only move forward', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const lobby = async () => (await myRooms(server, bob)).find((r) => r.name === 'lobby')!
    const start = (await lobby()).lastSeq
    await post(server, alice, 'lobby', 'hello all')
    await post(server, alice, 'lobby', `hey @${bob.username.toUpperCase()}, look`)
    await post(server, alice, 'lobby', `mail ${bob.username}@example.com`)
    const own = await post(server, bob, 'lobby', `note to self @${bob.username}`)
    expect(await lobby()).toMatchObject({ lastSeq: own, readSeq: start, unread: 3, mentions: 1 })

    const read = (seq: number) =>
      api(server.url, '/api/rooms/lobby/read', { token: bob.token, body: { seq } })
    expect((await read(start + 2)).status).toBe(204)
    expect(await lobby()).toMatchObject({ readSeq: start + 2, unread: 1, mentions: 0 })
    expect((await read(start + 1)).status).toBe(204)
    expect((await lobby()).readSeq).toBe(start + 2)

    // Over the socket: not acked, but stored; the next call sees it.
    const socket = await ChatClient.connect(server.wsUrl, bob.token)
    await socket.join('lobby')
    socket.send({ type: 'read', room: 'lobby', seq: own + 50 })
    await expect.poll(async () => (await lobby()).readSeq).toBe(own)
    expect(await lobby()).toMatchObject({ unread: 0, mentions: 0 })
    expect(socket.frames.filter((f) => f.type === 'error')).toEqual([])
    expect((await read(-1)).status).toBe(400)
    socket.close()
  })
})
