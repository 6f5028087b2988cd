// Room flood defences over real HTTP and WebSocket: creation throttle and cap, a paged list, deletion.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

interface RoomsPage {
  rooms: Array<{ name: string; createdBy: string | null }>
  next: string | null
}

const create = (url: string, user: TestUser, name: string) =>
  api(url, '/api/rooms', { body: { name }, token: user.token })
const remove = (url: string, user: TestUser, name: string) =>
  api(url, `/api/rooms/${name}`, { method: 'DELETE', token: user.token })

describe('room creation limits', () => {
  it('throttles room creation per user with 429 and Retry-After; other users are unaffected', async () => {
    const server = await startServer({ ROOM_CREATIONS_PER_HOUR: '3' })
    const [flooder, other] = [await registerUser(server.url), await registerUser(server.url)]
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await create(server.url, flooder, `f${i}`)).status)
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    const refused = await create(server.url, flooder, 'f9')
    expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } })
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await create(server.url, other, 'o1')).status).toBe(201)
  })

  it('caps the rooms one user has created; deleting one frees its place; admins have no cap', async () => {
    const admin = uniqueName('admin')
    const server = await startServer({ MAX_ROOMS_PER_USER: '2', ADMIN_USERS: `x, ${admin}` })
    const user = await registerUser(server.url)
    expect((await create(server.url, user, 'cap-a')).status).toBe(201)
    expect((await create(server.url, user, 'cap-b')).status).toBe(201)
    const over = await create(server.url, user, 'cap-c')
    expect(over.status).toBe(403)
    expect(over.body).toMatchObject({ error: { code: 'too_many_rooms' } })
    expect((await remove(server.url, user, 'cap-a')).status).toBe(204)
    expect((await create(server.url, user, 'cap-c')).status).toBe(201)

    const boss = await registerUser(server.url, admin)
    for (const name of ['adm-a', 'adm-b', 'adm-c']) {
      expect((await create(server.url, boss, name)).status).toBe(201)
    }
  })
})

describe('room list', () => {
  it('answers a page at a time with a next cursor until the last page', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const made = ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e']
    for (const name of made) await create(server.url, user, name)
    const seen: string[] = []
    let after: string | null = null
    let pages = 0
    do {
      const query: string = after === null ? '?limit=2' : `?limit=2&after=${after}`
      const page = await api(server.url, `/api/rooms${query}`, { token: user.token })
      expect(page.status).toBe(200)
      const body = page.body as RoomsPage
      expect(body.rooms.length).toBeLessThanOrEqual(2)
      seen.push(...body.rooms.map((r) => r.name))
      after = body.next
      pages += 1
    } while (after !== null)
    expect(seen).toEqual([...made, 'lobby'].sort())
    expect(pages).toBe(3)

    const all = (await api(server.url, '/api/rooms', { token: user.token })).body as RoomsPage
    expect(all.next).toBeNull()
    expect(all.rooms.map((r) => r.name)).toEqual(seen)
    for (const bad of ['?limit=0', '?limit=201', '?after=Bad%20Name', '?page=2']) {
      const answer = await api(server.url, `/api/rooms${bad}`, { token: user.token })
      expect(answer.status, bad).toBe(400)
    }
  })

  it('answers at most 100 rooms when no limit is given', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    for (let i = 0; i < 101; i++)
      await create(server.url, user, `many-${String(i).padStart(3, '0')}`)
    const page = (await api(server.url, '/api/rooms', { token: user.token })).body as RoomsPage
    expect(page.rooms).toHaveLength(100)
    expect(page.next).toBe(page.rooms[99]!.name)
  })
})

describe('room deletion', () => {
  it('by its creator: subscribers are told room_not_found, history goes, the room answers 404', async () => {
    const server = await startServer()
    const owner = await registerUser(server.url)
    const member = await registerUser(server.url)
    const poller = await registerUser(server.url)
    const room = 'doomed'
    expect((await create(server.url, owner, room)).status).toBe(201)
    await api(server.url, `/api/rooms/${room}/messages`, {
      body: { text: 'soon gone', cid: 'g1' },
      token: owner.token,
    })
    const ws = await ChatClient.connect(server.wsUrl, member.token)
    await ws.join(room, 0)
    await ws.waitForSeq(room, 1)
    await ws.join('lobby')
    // The log now also holds the member's join event: park after whatever it holds.
    const info = await api(server.url, `/api/rooms/${room}`, { token: owner.token })
    const { lastSeq } = (info.body as { room: { lastSeq: number } }).room
    const parked = api(server.url, `/api/rooms/${room}/messages?after=${lastSeq}&wait=20`, {
      token: poller.token,
    })
    // The poll is parked once the poller shows as online in the room.
    await expect
      .poll(async () => {
        const r = await api(server.url, `/api/rooms/${room}/online`, { token: owner.token })
        return (r.body as { online: string[] }).online
      })
      .toContain(poller.username)

    const refused = await remove(server.url, member, room)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ error: { code: 'not_room_owner' } })
    expect((await remove(server.url, owner, room)).status).toBe(204)

    const ended = await ws.next('error', (f) => f.room === room)
    expect(ended.code).toBe('room_not_found')
    expect(await parked).toMatchObject({ status: 200, body: { messages: [] } })
    for (const path of [`/api/rooms/${room}`, `/api/rooms/${room}/messages?after=0`]) {
      const gone = await api(server.url, path, { token: owner.token })
      expect(gone.status, path).toBe(404)
      expect(gone.body).toMatchObject({ error: { code: 'room_not_found' } })
    }
    expect((await remove(server.url, owner, room)).status).toBe(404)
    ws.send({ type: 'send', room, text: 'anyone?', cid: 'late' })
    expect((await ws.next('error', (f) => f.cid === 'late')).code).toBe('room_not_found')
    // The socket still works for its other rooms.
    ws.send({ type: 'send', room: 'lobby', text: 'still here', cid: 'lobby-1' })
    await ws.next('ack', (f) => f.cid === 'lobby-1')

    // The name can be taken again, with a fresh history from seq 1.
    expect((await create(server.url, member, room)).status).toBe(201)
    const rejoined = await ws.join(room, 0)
    expect(rejoined.seq).toBe(0)
    const history = await api(server.url, `/api/rooms/${room}/messages`, { token: member.token })
    expect(history.body).toEqual({ messages: [] })
    ws.close()
  })

  it('by a server admin; never the lobby; needs a session and, with a cookie, the CSRF token', async () => {
    const admin = uniqueName('root')
    const server = await startServer({ ADMIN_USERS: admin })
    const owner = await registerUser(server.url)
    const boss = await registerUser(server.url, admin)
    await create(server.url, owner, 'admin-target')
    expect((await api(server.url, '/api/rooms/admin-target', { method: 'DELETE' })).status).toBe(
      401,
    )
    const noCsrf = await api(server.url, '/api/rooms/admin-target', {
      method: 'DELETE',
      headers: { cookie: boss.cookie },
    })
    expect(noCsrf.status).toBe(403)
    expect((await remove(server.url, boss, 'admin-target')).status).toBe(204)
    for (const user of [owner, boss]) {
      const lobby = await remove(server.url, user, 'lobby')
      expect(lobby.status).toBe(403)
      expect(lobby.body).toMatchObject({ error: { code: 'room_protected' } })
    }
  })
})
