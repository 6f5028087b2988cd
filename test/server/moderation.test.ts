// Roles and moderation: invites, removal (which ends open subscriptions at once), roles, topics, and
// the bad inputs that must change nothing.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

async function call(
  server: TestServer,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return api(server.url, path, {
    method,
    token: user.token,
    ...(body === undefined ? {} : { body }),
  })
}

async function roomWith(server: TestServer, owner: TestUser, name: string, ...members: TestUser[]) {
  expect(
    (await call(server, owner, 'POST', '/api/rooms', { name, visibility: 'private' })).status,
  ).toBe(201)
  for (const m of members) {
    const invited = await call(server, owner, 'POST', `/api/rooms/${name}/members`, {
      username: m.username,
    })
    expect(invited.status).toBe(201)
  }
}

function errorCode(response: { body: unknown }): string | undefined {
  return (response.body as { error?: { code: string } } | undefined)?.error?.code
}

describe('moderation', () => {
  it('removing a member ends their open socket subscription and parked long-poll at once', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    await roomWith(server, alice, 'team', bob)
    const owner = await ChatClient.connect(server.wsUrl, alice.token)
    await owner.join('team')
    const removed = await ChatClient.connect(server.wsUrl, bob.token)
    await removed.join('team')
    const parked = api(server.url, '/api/rooms/team/messages?after=1&wait=20', { token: bob.token })
    await expect
      .poll(
        async () =>
          ((await api(server.url, '/healthz')).body as { parkedPolls: number }).parkedPolls,
      )
      .toBe(1)

    const gone = await call(server, alice, 'DELETE', `/api/rooms/team/members/${bob.username}`)
    expect(gone.status).toBe(204)
    const left = await removed.next('left', (f) => f.room === 'team')
    expect(left).toEqual({ type: 'left', room: 'team', reason: 'removed' })
    expect(removed.frames.findIndex((f) => f.type === 'member' && f.op === 'remove')).toBeLessThan(
      removed.frames.indexOf(left),
    )
    expect(((await parked).body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'member', op: 'remove', subject: bob.username, user: alice.username },
    ])

    owner.send({ type: 'send', room: 'team', text: 'without bob', cid: 'a1' })
    const ack = await owner.next('ack', (f) => f.cid === 'a1')
    await owner.next('message', (f) => f.seq === ack.seq)
    // A round trip on bob's socket after alice's message was fanned out: nothing of it came.
    removed.send({ type: 'typing', room: 'team' })
    expect(await removed.next('error', () => true, 10_000, true)).toMatchObject({
      code: 'room_not_found',
    })
    expect(removed.frames.some((f) => f.type === 'message' && f.seq === ack.seq)).toBe(false)
    removed.send({ type: 'join', room: 'team' })
    expect((await removed.next('error', () => true, 10_000, true)).code).toBe('room_not_found')
    const after = await call(server, bob, 'GET', '/api/rooms/team/messages?after=0')
    expect(errorCode(after)).toBe('room_not_found')
    owner.close()
    removed.close()
  })

  it('roles: owners change roles below their own, admins invite and remove members only', async () => {
    const server = await startServer()
    const [alice, bob, carol, dave] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ]
    await roomWith(server, alice, 'club', bob, carol)
    const path = (u: TestUser) => `/api/rooms/club/members/${u.username}`

    // A non-owner changing roles: 403, nothing changes.
    expect((await call(server, bob, 'PATCH', path(carol), { role: 'admin' })).status).toBe(403)
    expect((await call(server, alice, 'PATCH', path(bob), { role: 'admin' })).status).toBe(200)
    // An admin demoting an owner, or changing any role: 403.
    const demote = await call(server, bob, 'PATCH', path(alice), { role: 'member' })
    expect(demote.status).toBe(403)
    expect(errorCode(demote)).toBe('forbidden')
    // Admins invite to private rooms and remove plain members, not owners.
    expect(
      (await call(server, bob, 'POST', '/api/rooms/club/members', { username: dave.username }))
        .status,
    ).toBe(201)
    expect((await call(server, bob, 'DELETE', path(dave))).status).toBe(204)
    expect((await call(server, bob, 'DELETE', path(alice))).status).toBe(403)
    // Plain members neither invite nor remove.
    expect(
      (await call(server, carol, 'POST', '/api/rooms/club/members', { username: dave.username }))
        .status,
    ).toBe(403)
    expect((await call(server, carol, 'DELETE', path(bob))).status).toBe(403)
    // The last owner can neither leave nor step down.
    const leave = await call(server, alice, 'DELETE', path(alice))
    expect(leave.status).toBe(400)
    expect(errorCode(leave)).toBe('last_owner')
    expect((await call(server, alice, 'PATCH', path(alice), { role: 'member' })).status).toBe(400)
    // Inviting an unknown user: 404.
    const unknown = await call(server, alice, 'POST', '/api/rooms/club/members', {
      username: 'nobody_here',
    })
    expect(unknown.status).toBe(404)
    expect(errorCode(unknown)).toBe('user_not_found')

    const members = await call(server, carol, 'GET', '/api/rooms/club/members')
    expect((members.body as { members: unknown[] }).members).toEqual(
      expect.arrayContaining([
        { username: alice.username, role: 'owner' },
        { username: bob.username, role: 'admin' },
        { username: carol.username, role: 'member' },
      ]),
    )
    expect((members.body as { members: unknown[] }).members).toHaveLength(3)
    // Every change is in the log: two invites, a role, an invite and a removal.
    const log = await call(server, carol, 'GET', '/api/rooms/club/messages?after=0')
    expect((log.body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'member', op: 'invite', subject: bob.username },
      { type: 'member', op: 'invite', subject: carol.username },
      { type: 'member', op: 'role', subject: bob.username, role: 'admin' },
      { type: 'member', op: 'invite', subject: dave.username, user: bob.username },
      { type: 'member', op: 'remove', subject: dave.username, user: bob.username },
    ])
    // A member leaves by removing themself.
    expect((await call(server, carol, 'DELETE', path(carol))).status).toBe(204)
    expect((await call(server, carol, 'GET', '/api/rooms/club')).status).toBe(404)
  })

  it('topics: owners and admins set them, the log carries a room event', async () => {
    const server = await startServer()
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    await roomWith(server, alice, 'topics', bob)
    const denied = await call(server, bob, 'PATCH', '/api/rooms/topics', { topic: 'mine' })
    expect(denied.status).toBe(403)
    const set = await call(server, alice, 'PATCH', '/api/rooms/topics', {
      topic: 'Release on Friday',
    })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ room: { name: 'topics', topic: 'Release on Friday' } })
    const log = await call(server, bob, 'GET', '/api/rooms/topics/messages?after=1')
    expect((log.body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'room', seq: 2, topic: 'Release on Friday', user: alice.username },
    ])
    expect((await call(server, bob, 'PATCH', '/api/rooms/nowhere', { topic: 'x' })).status).toBe(
      404,
    )
  })

  it('server admins (ADMIN_USERS) read and moderate every room', async () => {
    const server = await startServer({ ADMIN_USERS: 'Root_Admin' })
    const admin = await registerUser(server.url, 'root_admin')
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    await roomWith(server, alice, 'hidden', bob)
    expect((await call(server, admin, 'GET', '/api/rooms/hidden/messages?after=0')).status).toBe(
      200,
    )
    expect(
      (await call(server, admin, 'DELETE', `/api/rooms/hidden/members/${bob.username}`)).status,
    ).toBe(204)
    expect(
      (
        await call(server, admin, 'PATCH', `/api/rooms/hidden/members/${alice.username}`, {
          role: 'admin',
        })
      ).status,
    ).toBe(400)
  })

  it('public rooms: joining (socket or HTTP) makes you a member, once, with a join event', async () => {
    const server = await startServer()
    const [alice, bob, carol] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ]
    expect((await call(server, alice, 'POST', '/api/rooms', { name: 'open' })).status).toBe(201)
    const socket = await ChatClient.connect(server.wsUrl, bob.token)
    // The join event is stored before `joined`, whose seq already counts it.
    expect((await socket.join('open')).seq).toBe(1)
    socket.send({ type: 'join', room: 'open' })
    await socket.next('joined', () => true, 10_000, true)
    expect(
      (await call(server, carol, 'POST', '/api/rooms/open/members', { username: carol.username }))
        .status,
    ).toBe(201)
    await socket.next('member', (f) => f.subject === carol.username)
    const log = await call(server, alice, 'GET', '/api/rooms/open/messages?after=0')
    expect((log.body as { messages: unknown[] }).messages).toMatchObject([
      { type: 'member', seq: 1, op: 'join', subject: bob.username, role: 'member' },
      { type: 'member', seq: 2, op: 'join', subject: carol.username },
    ])
    const members = await call(server, alice, 'GET', '/api/rooms/open/members')
    expect((members.body as { members: unknown[] }).members).toHaveLength(3)
    // Creating a room named like a DM is refused.
    expect((await call(server, alice, 'POST', '/api/rooms', { name: 'dm-abc' })).status).toBe(400)
    socket.close()
  })
})
