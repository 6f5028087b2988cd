// Messages that change, over the socket and HTTP: edit, delete, react and reply, each an event of the
// room's log with its own seq, acked after the commit, idempotent on cid; the timeline as it is now.
import { rmSync } from 'node:fs'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { ServerFrame } from '../../src/protocol/frames.js'
import { acked, log, logEvents, newCid, refused, timeline } from '../support/changes.js'
import { api, ChatClient, registerUser, uniqueName, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

async function roomOf(server: TestServer, owner: TestUser, visibility = 'public'): Promise<string> {
  const name = uniqueName('room').toLowerCase()
  const created = await api(server.url, '/api/rooms', {
    token: owner.token,
    body: { name, visibility },
  })
  expect(created.status).toBe(201)
  return name
}

async function connected(server: TestServer, user: TestUser, room: string) {
  const client = await ChatClient.connect(server.wsUrl, user.token)
  const joined = await client.join(room)
  return { client, joined }
}

const strip = (frames: ServerFrame[]) =>
  frames.map((f) => {
    const { ts: _ts, ...rest } = f as ServerFrame & { ts?: number }
    return rest
  })

describe('messages that change', () => {
  it('edit, delete, react and reply over the socket: acked after the commit, delivered to every subscriber in seq order, the timeline as it is now', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const a = await connected(server, alice, room)
    const b = await connected(server, bob, room)
    const start = b.joined.seq

    const first = await acked(a.client, { type: 'send', room, text: 'helo wrold' })
    const second = await acked(b.client, { type: 'send', room, text: 'bob was here' })
    const reply = await acked(a.client, {
      type: 'send',
      room,
      text: 'answering myself',
      replyTo: first,
    })
    const editCid = newCid('edit')
    const edited = await acked(a.client, {
      type: 'edit',
      room,
      target: first,
      text: 'hello world',
      cid: editCid,
    })
    const thumbs = await acked(b.client, {
      type: 'react',
      room,
      target: first,
      emoji: '👍',
      op: 'add',
    })
    const tada = await acked(a.client, {
      type: 'react',
      room,
      target: first,
      emoji: ':tada:',
      op: 'add',
    })
    const deleted = await acked(b.client, { type: 'delete', room, target: second })
    expect([first, second, reply, edited, thumbs, tada, deleted]).toEqual(
      Array.from({ length: 7 }, (_, i) => start + i + 1),
    )

    // Every subscriber gets the same events, in seq order, once each.
    await a.client.next('delete', (f) => f.seq === deleted)
    await b.client.next('delete', (f) => f.seq === deleted)
    const seen = logEvents(b.client, room).filter((f) => 'seq' in f && f.seq >= first)
    expect(seen.map((f) => f.type)).toEqual([
      'message',
      'message',
      'message',
      'edit',
      'reaction',
      'reaction',
      'delete',
    ])
    expect(strip(logEvents(a.client, room).filter((f) => 'seq' in f && f.seq >= first))).toEqual(
      strip(seen),
    )
    expect(seen[2]).toMatchObject({ replyTo: first, mentions: [] })
    expect(seen[3]).toMatchObject({
      type: 'edit',
      room,
      seq: edited,
      user: alice.username,
      cid: editCid,
      target: first,
      text: 'hello world',
      mentions: [],
    })
    expect(seen[4]).toMatchObject({ type: 'reaction', target: first, emoji: '👍', op: 'add' })
    expect(seen[6]).toMatchObject({ type: 'delete', target: second, user: bob.username })

    const now = await timeline(server.url, bob, room)
    expect(now.map((m) => m.seq)).toEqual([reply, second, first])
    expect(now[2]).toMatchObject({
      text: 'hello world',
      editedAt: expect.any(Number) as number,
      deleted: false,
      reactions: { '👍': [bob.username], ':tada:': [alice.username] },
      replies: 1,
    })
    expect(now[1]).toMatchObject({ text: '', deleted: true, reactions: {}, replies: 0 })
    expect(now[0]).toMatchObject({
      replyTo: first,
      quote: { user: alice.username, text: 'hello world', deleted: false },
    })
    // ?after= is the raw log: every event, contiguous.
    const raw = await log(server.url, bob, room, start)
    expect(raw.map((e) => ('seq' in e ? e.seq : 0))).toEqual([
      first,
      second,
      reply,
      edited,
      thumbs,
      tada,
      deleted,
    ])
    expect(JSON.stringify(raw)).not.toContain('bob was here')
    for (const c of [a.client, b.client]) c.close()
  })

  it('each bad input is an error frame that changes nothing and keeps the socket open', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off', MAX_TEXT_CHARS: '50' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const other = await roomOf(server, alice)
    const a = await connected(server, alice, room)
    const b = await connected(server, bob, room)
    const mine = await acked(a.client, { type: 'send', room, text: 'mine' })
    const gone = await acked(a.client, { type: 'send', room, text: 'soon gone' })
    await acked(a.client, { type: 'delete', room, target: gone })
    // Bob's join is a member event: a seq of the log that is no message.
    const joinedEvent = (await log(server.url, alice, room, 0)).find(
      (e) => e.type === 'member' && e.subject === bob.username,
    )
    const memberEvent = joinedEvent && 'seq' in joinedEvent ? joinedEvent.seq : 0
    expect(memberEvent).toBeGreaterThan(0)
    // A message of another room, at a seq this room does not have.
    let otherMessage = 0
    await a.client.join(other)
    for (let i = 0; i < 8; i++) {
      otherMessage = await acked(a.client, { type: 'send', room: other, text: `x${i}` })
    }
    const lastSeq = async () =>
      (
        (await api(server.url, `/api/rooms/${room}`, { token: alice.token })).body as {
          room: { lastSeq: number }
        }
      ).room.lastSeq
    const before = await lastSeq()
    expect(otherMessage).toBeGreaterThan(before)

    const cases: Array<[string, ChatClient, Record<string, unknown>]> = [
      ['message_deleted', a.client, { type: 'edit', room, target: gone, text: 'back again' }],
      ['message_deleted', b.client, { type: 'react', room, target: gone, emoji: '👍', op: 'add' }],
      ['message_not_found', a.client, { type: 'edit', room, target: 9999, text: 'no such' }],
      ['message_not_found', a.client, { type: 'delete', room, target: 9999 }],
      [
        'message_not_found',
        a.client,
        { type: 'react', room, target: 9999, emoji: '👍', op: 'add' },
      ],
      ['message_not_found', b.client, { type: 'delete', room, target: memberEvent }],
      ['message_not_found', a.client, { type: 'edit', room, target: memberEvent, text: 'x' }],
      ['not_your_message', b.client, { type: 'edit', room, target: mine, text: 'hijacked' }],
      ['not_your_message', b.client, { type: 'delete', room, target: mine }],
      ['invalid_text', a.client, { type: 'edit', room, target: mine, text: '' }],
      ['invalid_text', a.client, { type: 'edit', room, target: mine, text: '   ' }],
      ['invalid_text', a.client, { type: 'edit', room, target: mine, text: 'x'.repeat(51) }],
      ['invalid_emoji', b.client, { type: 'react', room, target: mine, emoji: '👍👍', op: 'add' }],
      ['invalid_emoji', b.client, { type: 'react', room, target: mine, emoji: 'a', op: 'add' }],
      ['invalid_emoji', b.client, { type: 'react', room, target: mine, emoji: '1', op: 'add' }],
      ['invalid_emoji', b.client, { type: 'react', room, target: mine, emoji: '👍 ', op: 'add' }],
      [
        'invalid_emoji',
        b.client,
        { type: 'react', room, target: mine, emoji: ':nope:', op: 'add' },
      ],
      ['invalid_emoji', b.client, { type: 'react', room, target: mine, emoji: '©', op: 'add' }],
      ['invalid_reply', b.client, { type: 'send', room, text: 'hm', replyTo: 9999 }],
      ['invalid_reply', b.client, { type: 'send', room, text: 'hm', replyTo: memberEvent }],
      ['invalid_reply', b.client, { type: 'send', room, text: 'hm', replyTo: otherMessage }],
      ['invalid_frame', a.client, { type: 'edit', room, target: 0, text: 'zero' }],
      ['invalid_frame', a.client, { type: 'react', room, target: mine, emoji: '👍', op: 'toggle' }],
      ['invalid_frame', a.client, { type: 'delete', room, target: mine, extra: 1 }],
    ]
    for (const [code, client, frame] of cases) {
      expect([code, frame], JSON.stringify(frame)).toEqual([await refused(client, frame), frame])
    }
    expect(await lastSeq()).toBe(before)
    const [message] = await timeline(server.url, alice, room, `before=${mine + 1}&limit=1`)
    expect(message).toMatchObject({ seq: mine, text: 'mine', reactions: {}, deleted: false })
    // Both sockets are still open and working.
    for (const client of [a.client, b.client]) {
      expect(
        await acked(client, { type: 'react', room, target: mine, emoji: '❤️', op: 'add' }),
      ).toBeGreaterThan(before)
    }
    // One emoji of any shape, or a listed :name:, is fine.
    for (const emoji of ['👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', ':+1:']) {
      await acked(b.client, { type: 'react', room, target: mine, emoji, op: 'add' })
    }
    for (const c of [a.client, b.client]) c.close()
  })

  it('the same cid again stores nothing and is acked with the first seq, for edit, delete and react', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const a = await connected(server, alice, room)
    const b = await connected(server, bob, room)
    const target = await acked(a.client, { type: 'send', room, text: 'original' })
    const frames = [
      [a.client, { type: 'edit', room, target, text: 'edited once', cid: newCid('e') }],
      [b.client, { type: 'react', room, target, emoji: '🎉', op: 'add', cid: newCid('r') }],
      [a.client, { type: 'delete', room, target, cid: newCid('d') }],
    ] as const
    const seqs: number[] = []
    for (const [client, frame] of frames) seqs.push(await acked(client, frame))
    for (const [i, [client, frame]] of frames.entries()) {
      // Sent again after the delete: the edit and reaction are answered as before, not refused.
      const again = client.next('ack', (f) => f.cid === frame.cid, 10_000, true)
      client.send(frame)
      expect((await again).seq).toBe(seqs[i])
    }
    await b.client.next('delete', (f) => f.target === target)
    const raw = await log(server.url, alice, room, target - 1)
    expect(raw.map((e) => e.type)).toEqual(['message', 'edit', 'reaction', 'delete'])
    for (const c of [a.client, b.client]) c.close()
  })

  it('HTTP: PATCH edits, DELETE deletes (cid optional, idempotent), POST reacts; the same errors as the socket', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const posted = await api(server.url, `/api/rooms/${room}/messages`, {
      token: alice.token,
      body: { text: 'via http', cid: newCid() },
    })
    const seq = (posted.body as { message: { seq: number } }).message.seq
    const path = `/api/rooms/${room}/messages/${seq}`
    const patch = (user: TestUser, body: unknown) =>
      api(server.url, path, { token: user.token, method: 'PATCH', body })
    // A long-poller parked after the message is answered by the edit, a raw log event.
    const parked = api(server.url, `/api/rooms/${room}/messages?after=${seq}&wait=20`, {
      token: bob.token,
    })
    const editCid = newCid()
    const edited = await patch(alice, { text: 'via http, edited', cid: editCid })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({
      event: { type: 'edit', seq: seq + 1, target: seq, text: 'via http, edited', cid: editCid },
    })
    expect((await patch(alice, { text: 'via http, edited', cid: editCid })).body).toEqual(
      edited.body,
    )
    expect((await parked).body).toEqual({ messages: [(edited.body as { event: unknown }).event] })
    const refusal = await patch(bob, { text: 'mine now', cid: newCid() })
    expect([refusal.status, (refusal.body as { error: { code: string } }).error.code]).toEqual([
      403,
      'not_your_message',
    ])
    const missing = await api(server.url, `/api/rooms/${room}/messages/9999`, {
      token: alice.token,
      method: 'PATCH',
      body: { text: 'x', cid: newCid() },
    })
    expect(missing.status).toBe(404)

    const react = (user: TestUser, emoji: string, op = 'add', cid = newCid()) =>
      api(server.url, `${path}/reactions`, { token: user.token, body: { emoji, op, cid } })
    const reacted = await react(bob, '🔥')
    expect(reacted.status).toBe(200)
    expect(reacted.body).toMatchObject({ event: { type: 'reaction', emoji: '🔥', op: 'add' } })
    expect((await react(bob, 'fire')).status).toBe(400)
    expect(((await react(bob, 'fire')).body as { error: { code: string } }).error.code).toBe(
      'invalid_emoji',
    )

    expect((await api(server.url, path, { token: bob.token, method: 'DELETE' })).status).toBe(403)
    const gone = await api(server.url, path, { token: alice.token, method: 'DELETE' })
    expect(gone.status).toBe(200)
    const deleteEvent = (gone.body as { event: { seq: number; type: string } }).event
    expect(deleteEvent.type).toBe('delete')
    // Again, with or without a cid: the same event, nothing stored.
    expect((await api(server.url, path, { token: alice.token, method: 'DELETE' })).body).toEqual(
      gone.body,
    )
    const withCid = await api(server.url, `${path}?cid=${newCid()}`, {
      token: alice.token,
      method: 'DELETE',
    })
    expect((withCid.body as { event: { seq: number } }).event.seq).toBe(deleteEvent.seq)
    const withBody = await api(server.url, path, {
      token: alice.token,
      method: 'DELETE',
      body: { cid: newCid() },
    })
    expect((withBody.body as { event: { seq: number } }).event.seq).toBe(deleteEvent.seq)
    const late = await patch(alice, { text: 'too late', cid: newCid() })
    expect([late.status, (late.body as { error: { code: string } }).error.code]).toEqual([
      409,
      'message_deleted',
    ])
    expect((await react(bob, '🔥')).status).toBe(409)
    const reply = await api(server.url, `/api/rooms/${room}/messages`, {
      token: bob.token,
      body: { text: 'reply', cid: newCid(), replyTo: 9999 },
    })
    expect((reply.body as { error: { code: string } }).error.code).toBe('invalid_reply')
    const raw = await log(server.url, bob, room, seq - 1)
    expect(raw.map((e) => e.type)).toEqual(['message', 'edit', 'reaction', 'delete'])
    // A non-member of a private room learns nothing: the same 404 as for a missing room.
    const secret = await roomOf(server, alice, 'private')
    const hidden = await api(server.url, `/api/rooms/${secret}/messages/1`, {
      token: bob.token,
      method: 'DELETE',
    })
    expect([hidden.status, (hidden.body as { error: { code: string } }).error.code]).toEqual([
      404,
      'room_not_found',
    ])
  })

  it('deletes: your own, and anyone’s for room owners and admins and server admins; never a plain member', async () => {
    const admin = uniqueName('admin')
    const server = await startServer({ LINK_PREVIEWS: 'off', ADMIN_USERS: admin })
    const [owner, mod, member, root] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url, admin),
    ]
    const room = await roomOf(server, owner)
    const m = await connected(server, member, room)
    const o = await connected(server, owner, room)
    const d = await connected(server, mod, room)
    const r = await connected(server, root, room)
    const promoted = await api(server.url, `/api/rooms/${room}/members/${mod.username}`, {
      token: owner.token,
      method: 'PATCH',
      body: { role: 'admin' },
    })
    expect(promoted.status).toBe(200)
    const texts = await Promise.all(
      [1, 2, 3].map((i) => acked(m.client, { type: 'send', room, text: `member says ${i}` })),
    )
    const ownersMessage = await acked(o.client, { type: 'send', room, text: 'owner says' })
    expect(await refused(m.client, { type: 'delete', room, target: ownersMessage })).toBe(
      'not_your_message',
    )
    await acked(o.client, { type: 'delete', room, target: texts[0] })
    await acked(d.client, { type: 'delete', room, target: texts[1] })
    await acked(r.client, { type: 'delete', room, target: texts[2] })
    // An admin may not edit someone else's words, only delete them.
    expect(await refused(d.client, { type: 'edit', room, target: ownersMessage, text: 'no' })).toBe(
      'not_your_message',
    )
    const now = await timeline(server.url, owner, room)
    expect(
      now
        .filter((x) => x.deleted)
        .map((x) => x.seq)
        .sort(),
    ).toEqual([...texts].sort())
    for (const c of [m, o, d, r]) c.client.close()
  })

  it('a concurrent edit and delete end the same for everyone, ordered by seq: an edit after the delete is refused', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const a1 = await connected(server, alice, room)
    const a2 = await connected(server, alice, room)
    const b = await connected(server, bob, room)
    const target = await acked(a1.client, { type: 'send', room, text: 'v1' })
    // Sent at once from two sockets: whichever the store orders first wins its seq.
    const outcomes = await Promise.all([
      refusedOrAcked(a1.client, { type: 'edit', room, target, text: 'v2' }),
      refusedOrAcked(a2.client, { type: 'delete', room, target }),
      refusedOrAcked(a1.client, { type: 'edit', room, target, text: 'v3' }),
      refusedOrAcked(b.client, { type: 'react', room, target, emoji: '😮', op: 'add' }),
    ])
    const deleteSeq = outcomes[1] as number
    expect(typeof deleteSeq).toBe('number')
    for (const [i, outcome] of outcomes.entries()) {
      if (i === 1) continue
      // Before the delete: stored with a smaller seq; after it: refused.
      if (typeof outcome === 'number') expect(outcome).toBeLessThan(deleteSeq)
      else expect(outcome).toBe('message_deleted')
    }
    for (const client of [a1.client, a2.client, b.client]) {
      await client.next('delete', (f) => f.seq === deleteSeq)
    }
    const sequences = [a1.client, a2.client, b.client].map((c) =>
      strip(logEvents(c, room).filter((f) => 'seq' in f && f.seq >= target)).map((e) =>
        JSON.stringify(e),
      ),
    )
    expect(sequences[1]).toEqual(sequences[0])
    expect(sequences[2]).toEqual(sequences[0])
    const [message] = await timeline(server.url, bob, room, 'limit=1')
    expect(message).toMatchObject({ seq: target, text: '', deleted: true, reactions: {} })
    for (const c of [a1, a2, b]) c.client.close()
  })

  it('resume: a client away while one message was edited, another deleted and a third reacted to gets exactly those events, once each, in seq order (from memory and, after a restart, from the store)', async () => {
    const server = await startServer({ LINK_PREVIEWS: 'off' }, { teardown: false })
    onTestFinished(() => rmSync(server.dataDir, { recursive: true, force: true }))
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const room = await roomOf(server, alice)
    const a = await connected(server, alice, room)
    const b = await connected(server, bob, room)
    const seqs = []
    for (const text of ['one', 'two', 'three']) {
      seqs.push(await acked(a.client, { type: 'send', room, text }))
    }
    await b.client.waitForSeq(room, seqs[2]!)
    const since = Math.max(...logEvents(b.client, room).map((f) => ('seq' in f ? f.seq : 0)))
    b.client.close()
    await b.client.closed

    const changes = [
      await acked(a.client, { type: 'edit', room, target: seqs[0], text: 'one, edited' }),
      await acked(a.client, { type: 'delete', room, target: seqs[1] }),
      await acked(a.client, { type: 'react', room, target: seqs[2], emoji: '✅', op: 'add' }),
    ]
    const expected = [
      { type: 'edit', seq: changes[0], target: seqs[0], text: 'one, edited' },
      { type: 'delete', seq: changes[1], target: seqs[1] },
      { type: 'reaction', seq: changes[2], target: seqs[2], emoji: '✅', op: 'add' },
    ]
    const resumed = await ChatClient.connect(server.wsUrl, bob.token)
    await resumed.join(room, since)
    await resumed.next('reaction', (f) => f.seq === changes[2])
    expect(logEvents(resumed, room)).toEqual(
      expected.map((e) => expect.objectContaining(e) as unknown),
    )
    resumed.close()
    a.client.close()

    // The same from the store: a restarted server has nothing in memory.
    await server.close()
    const again = await startServer({ LINK_PREVIEWS: 'off', DATA_DIR: server.dataDir })
    const fromStore = await ChatClient.connect(again.wsUrl, bob.token)
    await fromStore.join(room, since)
    await fromStore.next('reaction', (f) => f.seq === changes[2])
    expect(logEvents(fromStore, room)).toEqual(
      expected.map((e) => expect.objectContaining(e) as unknown),
    )
    // A resume from before the messages replays them as they are now, then the changes.
    const early = await ChatClient.connect(again.wsUrl, bob.token)
    await early.join(room, seqs[0]! - 1)
    await early.next('reaction', (f) => f.seq === changes[2])
    const replay = logEvents(early, room)
    expect(replay.map((f) => f.type)).toEqual([
      'message',
      'message',
      'message',
      'edit',
      'delete',
      'reaction',
    ])
    expect(replay[1]).toMatchObject({ text: '', deleted: true })
    fromStore.close()
    early.close()
  })
})

async function refusedOrAcked(
  client: ChatClient,
  frame: Record<string, unknown>,
): Promise<number | string> {
  const cid = newCid(String(frame['type']))
  const answer = client.answerTo(cid)
  client.send({ ...frame, cid })
  const got = await answer
  return got.type === 'ack' ? got.seq : got.code
}
