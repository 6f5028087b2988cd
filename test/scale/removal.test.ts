// Removal on PostgreSQL + Redis with two nodes: the removed member's socket on the other node loses
// the room at once, and nothing more of it reaches them; a node that remembered them as a member
// (its room feed skips the Store for known members) refuses their next join once it has the event.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { scaleOutUnavailable, startCluster } from '../support/cluster.js'

const skip = await scaleOutUnavailable()

describe.skipIf(skip !== undefined)('removal across nodes', { timeout: 90_000 }, () => {
  it("ends the removed member's subscription on another node", async () => {
    const cluster = await startCluster(2)
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const [alice, bob] = [await registerUser(n0.url), await registerUser(n0.url)]
    expect(
      (
        await api(n0.url, '/api/rooms', {
          token: alice.token,
          body: { name: 'ops', visibility: 'private' },
        })
      ).status,
    ).toBe(201)
    const invite = await api(n0.url, '/api/rooms/ops/members', {
      token: alice.token,
      body: { username: bob.username },
    })
    expect(invite.status).toBe(201)
    const owner = await ChatClient.connect(n0.wsUrl, alice.token)
    await owner.join('ops')
    const member = await ChatClient.connect(n1.wsUrl, bob.token)
    await member.join('ops')
    owner.send({ type: 'send', room: 'ops', text: 'before', cid: 'b1' })
    await member.next('message', (f) => f.text === 'before')

    const removed = await api(n0.url, `/api/rooms/ops/members/${bob.username}`, {
      method: 'DELETE',
      token: alice.token,
    })
    expect(removed.status).toBe(204)
    expect(await member.next('left', (f) => f.room === 'ops')).toEqual({
      type: 'left',
      room: 'ops',
      reason: 'removed',
    })
    owner.send({ type: 'send', room: 'ops', text: 'after', cid: 'a1' })
    await owner.next('ack', (f) => f.cid === 'a1')
    // Bob's node has routed the next live event by the time it answers his typing frame.
    member.send({ type: 'typing', room: 'ops' })
    expect((await member.next('error', () => true, 10_000, true)).code).toBe('room_not_found')
    expect(member.frames.some((f) => f.type === 'message' && f.text === 'after')).toBe(false)
    const log = await api(n1.url, '/api/rooms/ops/messages?after=0', { token: bob.token })
    expect(log.status).toBe(404)
    owner.close()
    member.close()
  })

  it('a member removed on node A cannot join again on node B, which remembered their membership', async () => {
    const cluster = await startCluster(2)
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const [alice, bob] = [await registerUser(n0.url), await registerUser(n0.url)]
    await api(n0.url, '/api/rooms', {
      token: alice.token,
      body: { name: 'ops', visibility: 'private' },
    })
    const invite = await api(n0.url, '/api/rooms/ops/members', {
      token: alice.token,
      body: { username: bob.username },
    })
    expect(invite.status).toBe(201)
    // The owner keeps node B's feed of the room open, and with it what it remembers.
    const owner = await ChatClient.connect(n1.wsUrl, alice.token)
    await owner.join('ops')
    const first = await ChatClient.connect(n1.wsUrl, bob.token)
    await first.join('ops')
    first.close()

    const removed = await api(n0.url, `/api/rooms/ops/members/${bob.username}`, {
      method: 'DELETE',
      token: alice.token,
    })
    expect(removed.status).toBe(204)
    await owner.next('member', (f) => f.op === 'remove' && f.subject === bob.username)
    const again = await ChatClient.connect(n1.wsUrl, bob.token)
    again.send({ type: 'join', room: 'ops' })
    expect((await again.next('error', () => true, 10_000, true)).code).toBe('room_not_found')
    expect(again.frames.some((f) => f.type === 'joined')).toBe(false)
    owner.close()
    again.close()
  })
})
