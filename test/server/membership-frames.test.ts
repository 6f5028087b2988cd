// The user channel hears of my rooms: membership frames when I am added to or removed from a room
// (invite, join, removal, leave, a new DM), read frames when my read mark moves (capped at the
// room's end), on a socket that joined none of those rooms.
import { describe, expect, it } from 'vitest'
import type { ServerFrame } from '../../src/protocol/frames.js'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

const userFrames = (socket: ChatClient) =>
  socket.frames.filter((f): f is Extract<ServerFrame, { type: 'membership' | 'read' }> =>
    ['membership', 'read'].includes(f.type),
  )

describe('user channel: membership and read frames', () => {
  it('an invite, a removal, a join, a leave and a new DM each reach the subject, and only them', async () => {
    const server = await startServer()
    const [alice, bob, cy] = await Promise.all([
      registerUser(server.url),
      registerUser(server.url),
      registerUser(server.url),
    ])
    const [bobs, cys] = await Promise.all([
      ChatClient.connect(server.wsUrl, bob.token),
      ChatClient.connect(server.wsUrl, cy.token),
    ])
    const as = (token: string, method?: string, body?: unknown) => ({
      token,
      ...(method ? { method } : {}),
      ...(body === undefined ? {} : { body }),
    })
    const created = await api(
      server.url,
      '/api/rooms',
      as(alice.token, 'POST', { name: 'hideout', visibility: 'private' }),
    )
    expect(created.status).toBe(201)

    const invited = await api(
      server.url,
      '/api/rooms/hideout/members',
      as(alice.token, 'POST', { username: bob.username }),
    )
    expect(invited.status).toBe(201)
    await bobs.next('membership', (f) => f.room === 'hideout' && f.op === 'added')
    const removed = await api(
      server.url,
      `/api/rooms/hideout/members/${bob.username}`,
      as(alice.token, 'DELETE'),
    )
    expect(removed.status).toBe(204)
    await bobs.next('membership', (f) => f.room === 'hideout' && f.op === 'removed')

    await api(server.url, '/api/rooms', as(alice.token, 'POST', { name: 'square' }))
    await api(
      server.url,
      '/api/rooms/square/members',
      as(bob.token, 'POST', { username: bob.username }),
    )
    await bobs.next('membership', (f) => f.room === 'square' && f.op === 'added')
    await api(server.url, `/api/rooms/square/members/${bob.username}`, as(bob.token, 'DELETE'))
    await bobs.next('membership', (f) => f.room === 'square' && f.op === 'removed')

    const dm = await api(server.url, '/api/dms', as(alice.token, 'POST', { users: [bob.username] }))
    expect(dm.status).toBe(201)
    const dmName = (dm.body as { room: { name: string } }).room.name
    await bobs.next('membership', (f) => f.room === dmName && f.op === 'added' && f.kind === 'dm')
    // Opening it again creates nothing, so nothing is said.
    const again = await api(
      server.url,
      '/api/dms',
      as(bob.token, 'POST', { users: [alice.username] }),
    )
    expect(again.status).toBe(200)

    expect(userFrames(bobs)).toEqual([
      { type: 'membership', room: 'hideout', op: 'added', kind: 'private' },
      { type: 'membership', room: 'hideout', op: 'removed', kind: 'private' },
      { type: 'membership', room: 'square', op: 'added', kind: 'public' },
      { type: 'membership', room: 'square', op: 'removed', kind: 'public' },
      { type: 'membership', room: dmName, op: 'added', kind: 'dm' },
    ])
    expect(userFrames(cys)).toEqual([])
    bobs.close()
    cys.close()
  })

  it("a read mark reaches my other sockets, capped at the room's last seq", async () => {
    const server = await startServer()
    const [alice, bob] = await Promise.all([registerUser(server.url), registerUser(server.url)])
    const [laptop, phone] = await Promise.all([
      ChatClient.connect(server.wsUrl, bob.token),
      ChatClient.connect(server.wsUrl, bob.token),
    ])
    const posted = await api(server.url, '/api/rooms/lobby/messages', {
      token: alice.token,
      body: { text: 'news', cid: 'news-1' },
    })
    const seq = (posted.body as { message: { seq: number } }).message.seq
    await laptop.join('lobby')
    laptop.send({ type: 'read', room: 'lobby', seq: seq + 100 })
    expect(await phone.next('read', (f) => f.room === 'lobby')).toEqual({
      type: 'read',
      room: 'lobby',
      seq,
    })
    // Over HTTP too.
    const more = await api(server.url, '/api/rooms/lobby/messages', {
      token: alice.token,
      body: { text: 'more', cid: 'news-2' },
    })
    const next = (more.body as { message: { seq: number } }).message.seq
    const read = await api(server.url, '/api/rooms/lobby/read', {
      token: bob.token,
      body: { seq: next },
    })
    expect(read.status).toBe(204)
    await phone.next('read', (f) => f.seq === next)
    laptop.close()
    phone.close()
  })
})
