/** The Store contract's membership half: rooms of three kinds, members, the log of events, read marks. */
import { beforeEach, expect, it } from 'vitest'
import { isChatError } from '../../src/domain/errors.js'
import type { AppendInput, ChangeInput, RoomChange, Store } from '../../src/domain/ports.js'

let counter = 0
const ann = { id: 'u-ann', username: 'Ann', passwordHash: 'h', createdAt: 1 }
const bob = { id: 'u-bob', username: 'bob', passwordHash: 'h', createdAt: 1 }
const cy = { id: 'u-cy', username: 'cy.z', passwordHash: 'h', createdAt: 1 }

function say(
  room: string,
  user: { id: string; username: string },
  text: string,
  mentions?: string[],
): AppendInput {
  counter++
  return {
    id: `m${counter}`,
    room,
    userId: user.id,
    username: user.username,
    text,
    cid: `c${counter}`,
    ts: 1000 + counter,
    ...(mentions ? { mentions } : {}),
  }
}

function change(room: string, by: { id: string; username: string }, c: RoomChange): ChangeInput {
  counter++
  return {
    id: `e${counter}`,
    room,
    userId: by.id,
    username: by.username,
    ts: 2000 + counter,
    change: c,
  }
}

function member(
  subject: { id: string; username: string },
  op: 'join' | 'invite' | 'leave' | 'remove' | 'role',
  role?: 'owner' | 'admin' | 'member',
): RoomChange {
  return {
    type: 'member',
    subjectId: subject.id,
    subject: subject.username,
    op,
    ...(role ? { role } : {}),
  }
}

/** Runs inside a describe whose beforeEach hands over a migrated store. */
export function membershipCases(current: () => Store): void {
  let store: Store
  beforeEach(async () => {
    store = current()
    for (const user of [ann, bob, cy]) await store.createUser(user)
    await store.createRoom({
      name: 'priv',
      createdAt: 5,
      createdBy: 'Ann',
      kind: 'private',
      topic: 'secret plans',
      members: [{ userId: ann.id, role: 'owner' }],
    })
  })

  it('creates a room with its kind, topic and first members', async () => {
    expect(await store.findRoom('priv')).toMatchObject({ kind: 'private', topic: 'secret plans' })
    expect(await store.findRoom('lobby')).toMatchObject({ kind: 'public', topic: null })
    expect(await store.findMember('priv', ann.id)).toEqual({
      userId: ann.id,
      username: 'Ann',
      role: 'owner',
      readSeq: 0,
    })
    expect(await store.findMember('priv', bob.id)).toBeUndefined()
  })

  it('stores a change with its event at the next seq, between messages, in one log', async () => {
    await store.append(say('priv', ann, 'one'))
    const joined = await store.applyChange(change('priv', ann, member(bob, 'invite')))
    expect(joined).toEqual({
      type: 'member',
      room: 'priv',
      seq: 2,
      user: 'Ann',
      ts: expect.any(Number) as number,
      subject: 'bob',
      op: 'invite',
      role: 'member',
    })
    await store.append(say('priv', bob, 'three'))
    const log = await store.messagesAfter('priv', 0, 10)
    expect(log.map((e) => [e.type, e.seq])).toEqual([
      ['message', 1],
      ['member', 2],
      ['message', 3],
    ])
    expect(log[1]).toEqual(joined)
    expect(await store.lastSeq('priv')).toBe(3)
    // The timeline holds messages only.
    expect((await store.messagesBefore('priv', undefined, 10)).map((m) => m.seq)).toEqual([3, 1])
    expect(await store.findMember('priv', bob.id)).toMatchObject({ role: 'member', readSeq: 2 })
  })

  it('stores nothing when a change changes nothing', async () => {
    expect(await store.applyChange(change('priv', ann, member(ann, 'join')))).toBeUndefined()
    expect(await store.applyChange(change('priv', ann, member(bob, 'remove')))).toBeUndefined()
    expect(
      await store.applyChange(change('priv', ann, member(ann, 'role', 'owner'))),
    ).toBeUndefined()
    expect(await store.lastSeq('priv')).toBe(0)
  })

  it('applies roles, removals and topics with their events', async () => {
    await store.applyChange(change('priv', ann, member(bob, 'invite')))
    const role = await store.applyChange(change('priv', ann, member(bob, 'role', 'admin')))
    expect(role).toMatchObject({
      type: 'member',
      op: 'role',
      role: 'admin',
      subject: 'bob',
      seq: 2,
    })
    expect((await store.listMembers('priv')).map((m) => [m.username, m.role])).toEqual([
      ['Ann', 'owner'],
      ['bob', 'admin'],
    ])
    const topic = await store.applyChange(change('priv', bob, { type: 'room', topic: 'new' }))
    expect(topic).toMatchObject({ type: 'room', topic: 'new', user: 'bob', seq: 3 })
    expect((await store.findRoom('priv'))?.topic).toBe('new')
    const removed = await store.applyChange(change('priv', ann, member(bob, 'remove')))
    expect(removed).toMatchObject({ type: 'member', op: 'remove', subject: 'bob', seq: 4 })
    expect(await store.findMember('priv', bob.id)).toBeUndefined()
    expect((await store.messagesAfter('priv', 2, 10)).map((e) => e.type)).toEqual([
      'room',
      'member',
    ])
  })

  it('rejects a change to an unknown room with room_not_found', async () => {
    const error = await store
      .applyChange(change('nowhere', ann, member(ann, 'join')))
      .catch((e: unknown) => e)
    expect(isChatError(error) ? error.code : error).toBe('room_not_found')
  })

  it('lists public rooms plus the private ones a user belongs to', async () => {
    expect((await store.listVisibleRooms(bob.id)).map((r) => r.name)).not.toContain('priv')
    expect((await store.listVisibleRooms(bob.id)).map((r) => r.name)).toContain('lobby')
    expect((await store.listVisibleRooms(ann.id)).map((r) => r.name)).toContain('priv')
  })

  it('adds members silently, keeping existing ones, with what was there counted as read', async () => {
    await store.append(say('lobby', ann, 'before'))
    await store.addMembers('lobby', [{ userId: bob.id, role: 'member' }])
    await store.addMembers('lobby', [{ userId: bob.id, role: 'admin' }])
    expect(await store.findMember('lobby', bob.id)).toMatchObject({ role: 'member', readSeq: 1 })
    expect(await store.lastSeq('lobby')).toBe(1)
  })

  it('counts unread messages by others and stored mentions (the name or @room) after the read mark', async () => {
    await store.addMembers('lobby', [
      { userId: ann.id, role: 'member' },
      { userId: cy.id, role: 'member' },
    ])
    // The store counts what the domain resolved (domain/mentions.ts), never the text itself.
    await store.append(say('lobby', ann, 'hello @cy.z!', ['cy.z']))
    await store.append(say('lobby', ann, 'mail cy@cy.z or @cy.zed', ['bob']))
    await store.append(say('lobby', ann, 'everyone!', ['@room']))
    await store.append(say('lobby', cy, 'my own @cy.z', ['cy.z']))
    await store.applyChange(change('lobby', bob, member(bob, 'join')))
    const mine = async () => (await store.myRooms(cy.id, 'cy.z')).find((r) => r.name === 'lobby')
    expect(await mine()).toEqual({
      name: 'lobby',
      kind: 'public',
      role: 'member',
      lastSeq: 5,
      readSeq: 0,
      unread: 3,
      mentions: 2,
    })
    await store.markRead('lobby', cy.id, 2)
    expect(await mine()).toMatchObject({ readSeq: 2, unread: 1, mentions: 1 })
    await store.markRead('lobby', cy.id, 1)
    expect((await mine())?.readSeq).toBe(2)
    await store.markRead('lobby', cy.id, 99)
    expect(await mine()).toMatchObject({ readSeq: 5, unread: 0, mentions: 0 })
    // Not a member: nothing to mark, nothing listed.
    await store.markRead('priv', cy.id, 1)
    expect((await store.myRooms(cy.id, 'cy.z')).map((r) => r.name)).toEqual(['lobby'])
  })

  it("lists a DM's members with it", async () => {
    await store.createRoom({
      name: 'dm-x',
      createdAt: 1,
      createdBy: 'bob',
      kind: 'dm',
      topic: null,
      members: [
        { userId: bob.id, role: 'member' },
        { userId: ann.id, role: 'member' },
      ],
    })
    const rooms = await store.myRooms(bob.id, 'bob')
    expect(rooms).toEqual([
      {
        name: 'dm-x',
        kind: 'dm',
        role: 'member',
        lastSeq: 0,
        readSeq: 0,
        unread: 0,
        mentions: 0,
        members: ['Ann', 'bob'],
      },
    ])
  })
}
