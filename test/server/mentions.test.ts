// Mentions and notifications: @username resolved by the server for members, @room for owners and
// admins, the stored mentions counted in /api/me/rooms, and notify frames on every socket of the
// mentioned user (and of the other members of a DM) — never the author, never a non-member.
import { describe, expect, it } from 'vitest'
import type { ServerFrame } from '../../src/protocol/frames.js'
import { acked, newCid } from '../support/changes.js'
import { api, ChatClient, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

type Notify = Extract<ServerFrame, { type: 'notify' }>

const notices = (client: ChatClient): Notify[] =>
  client.frames.filter((f): f is Notify => f.type === 'notify')

async function mentionCount(server: TestServer, user: TestUser, room: string): Promise<number> {
  const response = await api(server.url, '/api/me/rooms', { token: user.token })
  const rooms = (response.body as { rooms: Array<{ name: string; mentions: number }> }).rooms
  return rooms.find((r) => r.name === room)?.mentions ?? -1
}

async function post(server: TestServer, user: TestUser, room: string, text: string) {
  const response = await api(server.url, `/api/rooms/${room}/messages`, {
    token: user.token,
    body: { text, cid: newCid() },
  })
  expect(response.status).toBe(201)
  return (response.body as { message: { seq: number; mentions: string[] } }).message
}

/** A socket of `user` in the lobby (its user channel is live once the join is answered). */
async function socketOf(server: TestServer, user: TestUser): Promise<ChatClient> {
  const client = await ChatClient.connect(server.wsUrl, user.token)
  await client.join('lobby')
  return client
}

/**
 * Everything published to `client`'s user before this marker has arrived once the marker has: one
 * node, one bus, in order. Lets a test see that a notice did not come, without waiting for time.
 */
async function drain(server: TestServer, from: TestUser, to: TestUser, client: ChatClient) {
  const marker = `marker ${newCid()} @${to.username}`
  await post(server, from, 'lobby', marker)
  await client.next('notify', (f) => f.text === marker)
  return notices(client).filter((f) => f.text !== marker && !f.text.startsWith('marker '))
}

describe('mentions and notifications', () => {
  it('@name of a member, in any case, is stored and counted, and notifies every socket of that user; unknown names, addresses and the author are not', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const bobTabs = [await socketOf(server, bob), await socketOf(server, bob)]
    const aliceTab = await socketOf(server, alice)
    const before = await mentionCount(server, bob, 'lobby')
    const text = `hey @${bob.username.toUpperCase()}, and @nobody_here; mail ${bob.username}@example.org; me: @${alice.username}.`
    const message = await post(server, alice, 'lobby', text)
    expect(message.mentions).toEqual([bob.username, alice.username])
    for (const tab of bobTabs) {
      const notice = await tab.next('notify', (f) => f.seq === message.seq)
      expect(notice).toEqual({
        type: 'notify',
        kind: 'mention',
        room: 'lobby',
        seq: message.seq,
        user: alice.username,
        text,
      })
    }
    expect(await mentionCount(server, bob, 'lobby')).toBe(before + 1)
    // The author mentioned themself: stored (for highlighting), never notified nor counted.
    expect(await drain(server, bob, alice, aliceTab)).toEqual([])
    // Two mentions of one name notify once.
    const twice = await post(server, alice, 'lobby', `@${bob.username} @${bob.username}!`)
    expect(twice.mentions).toEqual([bob.username])
    for (const tab of bobTabs) await tab.next('notify', (f) => f.seq === twice.seq)
    expect(notices(bobTabs[0]!).filter((f) => f.seq === twice.seq)).toHaveLength(1)
    for (const c of [...bobTabs, aliceTab]) c.close()
  })

  it('in a private room a non-member is never mentioned nor notified; members are', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const room = uniqueName('secret').toLowerCase()
    await api(server.url, '/api/rooms', {
      token: alice!.token,
      body: { name: room, visibility: 'private' },
    })
    await api(server.url, `/api/rooms/${room}/members`, {
      token: alice!.token,
      body: { username: bob!.username },
    })
    const carolTab = await socketOf(server, carol!)
    const bobTab = await socketOf(server, bob!)
    const message = await post(server, alice!, room, `@${carol!.username} @${bob!.username} hi`)
    expect(message.mentions).toEqual([bob!.username])
    await bobTab.next('notify', (f) => f.room === room && f.seq === message.seq)
    expect(await drain(server, alice!, carol!, carolTab)).toEqual([])
    expect(await mentionCount(server, carol!, room)).toBe(-1)
    for (const c of [carolTab, bobTab]) c.close()
  })

  it('@room: from an owner or admin it notifies and counts for every member but the author; from a plain member it is plain text', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [owner, bob, carol] = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const room = uniqueName('team').toLowerCase()
    await api(server.url, '/api/rooms', { token: owner!.token, body: { name: room } })
    const tabs = await Promise.all([owner!, bob!, carol!].map((u) => socketOf(server, u)))
    for (const tab of tabs) await tab.join(room)
    const standup = await post(server, owner!, room, 'standup in 5 @room')
    expect(standup.mentions).toEqual(['@room'])
    for (const tab of tabs.slice(1)) {
      await tab.next('notify', (f) => f.seq === standup.seq && f.kind === 'mention')
    }
    expect(await mentionCount(server, bob!, room)).toBe(1)
    expect(await mentionCount(server, carol!, room)).toBe(1)
    expect(await mentionCount(server, owner!, room)).toBe(0)
    expect(await drain(server, bob!, owner!, tabs[0]!)).toEqual([])

    const shout = await post(server, bob!, room, '@room look at me')
    expect(shout.mentions).toEqual([])
    expect(await drain(server, owner!, carol!, tabs[2]!)).toEqual([
      expect.objectContaining({ seq: standup.seq }) as unknown,
    ])
    expect(await mentionCount(server, carol!, room)).toBe(1)
    // Made an admin, the same member may.
    await api(server.url, `/api/rooms/${room}/members/${bob!.username}`, {
      token: owner!.token,
      method: 'PATCH',
      body: { role: 'admin' },
    })
    const allowed = await post(server, bob!, room, '@room now I can')
    expect(allowed.mentions).toEqual(['@room'])
    await tabs[2]!.next('notify', (f) => f.seq === allowed.seq)
    for (const tab of tabs) tab.close()
  })

  it('a DM notifies its other members of every new message (kind dm, once), never the author', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const opened = await api(server.url, '/api/dms', {
      token: alice!.token,
      body: { users: [bob!.username, carol!.username] },
    })
    const dm = (opened.body as { room: { name: string } }).room.name
    const tabs = await Promise.all([alice!, bob!, carol!].map((u) => socketOf(server, u)))
    const plain = await post(server, alice!, dm, 'psst')
    const named = await post(server, alice!, dm, `psst @${bob!.username}`)
    for (const tab of tabs.slice(1)) {
      await tab.next('notify', (f) => f.seq === named.seq)
      expect(notices(tab).filter((f) => f.room === dm)).toEqual([
        {
          type: 'notify',
          kind: 'dm',
          room: dm,
          seq: plain.seq,
          user: alice!.username,
          text: 'psst',
        },
        {
          type: 'notify',
          kind: 'dm',
          room: dm,
          seq: named.seq,
          user: alice!.username,
          text: `psst @${bob!.username}`,
        },
      ])
    }
    expect(await drain(server, bob!, alice!, tabs[0]!)).toEqual([])
    for (const tab of tabs) tab.close()
  })

  it('an edit notifies only whom it newly mentions, and the count follows the message as it is now', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const aliceTab = await socketOf(server, alice)
    const bobTab = await socketOf(server, bob)
    const start = await mentionCount(server, bob, 'lobby')
    const target = await acked(aliceTab, { type: 'send', room: 'lobby', text: 'hello' })
    expect(await mentionCount(server, bob, 'lobby')).toBe(start)
    const text = `hello @${bob.username}`
    await acked(aliceTab, { type: 'edit', room: 'lobby', target, text })
    const notice = await bobTab.next('notify', (f) => f.seq === target)
    expect(notice).toMatchObject({ kind: 'mention', text, user: alice.username })
    expect(await mentionCount(server, bob, 'lobby')).toBe(start + 1)
    await acked(aliceTab, { type: 'edit', room: 'lobby', target, text: `${text}!` })
    expect((await drain(server, alice, bob, bobTab)).filter((f) => f.seq === target)).toHaveLength(
      1,
    )
    await acked(aliceTab, { type: 'delete', room: 'lobby', target, cid: newCid() })
    // The marker itself mentions bob: one more than before the edit, none from the deleted one.
    expect(await mentionCount(server, bob, 'lobby')).toBe(start + 1)
    for (const c of [aliceTab, bobTab]) c.close()
  })
})
