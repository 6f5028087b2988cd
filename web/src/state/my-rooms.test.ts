import { describe, expect, test } from 'vitest'
import type { MyRoomView, ServerFrame } from '../../../src/protocol/index.js'
import { addRoom, type ChatState, initialChatState, markRead, unreadCount } from './chat-state.js'
import { roomLabel, syncMyRooms, totalUnread } from './room-list.js'
import { followReadMarks } from '../chat/link-binding.js'
import { type FrameEnv, type Reduced, reduceFrame } from './frame-reducers.js'

const me: ChatState['me'] = { id: 'u1', username: 'ann' }
const env: FrameEnv = { now: 1_000, visible: true }
const empty = { outbox: [], left: [], readMarks: {}, drafts: {} }

function view(name: string, patch: Partial<MyRoomView> = {}): MyRoomView {
  return {
    name,
    kind: 'public',
    role: 'member',
    lastSeq: 0,
    readSeq: 0,
    unread: 0,
    mentions: 0,
    ...patch,
  }
}

/** The lobby open, plus my other rooms as the server lists them. */
function withRooms(...views: MyRoomView[]): ChatState {
  const state = syncMyRooms(initialChatState(me, empty), [view('lobby'), ...views], true)
  return { ...state, current: 'lobby' }
}

function run(state: ChatState, ...frames: ServerFrame[]): Reduced {
  const effects: Reduced['effects'][number][] = []
  for (const frame of frames) {
    const reduced = reduceFrame(state, frame, env)
    state = reduced.state
    effects.push(...reduced.effects)
  }
  return { state, effects }
}

const message = (room: string, seq: number, user = 'bob'): ServerFrame => ({
  type: 'message',
  room,
  seq,
  id: `m${seq}`,
  user,
  text: 'hi',
  ts: seq,
  cid: `c${seq}`,
})

describe('unread counts', () => {
  test('start from the server: my own join (a member event) is not unread', () => {
    // Bob wrote seq 2, I joined at seq 3: the server counts 1 unread (messages by others only).
    const state = withRooms(view('dev', { lastSeq: 3, readSeq: 1, unread: 1 }))
    const dev = state.rooms['dev']!
    expect(unreadCount(dev, 'ann')).toBe(1)
    // The joined frame (the room's last seq is still my join) adds nothing.
    const joined = run(state, { type: 'joined', room: 'dev', seq: 3, online: [] }).state
    expect(unreadCount(joined.rooms['dev']!, 'ann')).toBe(1)
  })

  test('a room someone else created shows nothing unread once I join it', () => {
    const state = withRooms(view('book-club', { lastSeq: 2, readSeq: 2, unread: 0 }))
    const joined = run(state, { type: 'joined', room: 'book-club', seq: 2, online: ['bob'] }).state
    expect(unreadCount(joined.rooms['book-club']!, 'ann')).toBe(0)
    expect(totalUnread(joined)).toBe(0)
  })

  test("live messages add to the server's count; mine and member events do not", () => {
    const state = withRooms(view('dev', { lastSeq: 3, readSeq: 1, unread: 1 }))
    const member: ServerFrame = {
      type: 'member',
      room: 'dev',
      seq: 5,
      user: 'cy',
      ts: 5,
      subject: 'cy',
      op: 'join',
      role: 'member',
    }
    const after = run(
      state,
      { type: 'joined', room: 'dev', seq: 3, online: [] },
      message('dev', 4),
      member,
      message('dev', 6, 'ann'),
      message('dev', 7),
    ).state
    expect(unreadCount(after.rooms['dev']!, 'ann')).toBe(3)
    expect(totalUnread(after)).toBe(3)
  })

  test('a read frame from my other device clears the badge', () => {
    const state = withRooms(view('dev', { lastSeq: 4, readSeq: 1, unread: 3, mentions: 1 }))
    const read = run(state, { type: 'read', room: 'dev', seq: 4 }).state
    expect(unreadCount(read.rooms['dev']!, 'ann')).toBe(0)
    expect(read.rooms['dev']?.mentions).toBe(0)
    expect(read.readMarks['dev']).toBe(4)
  })
})

describe('read marks to the server', () => {
  /** followReadMarks with timers that run when asked, and the read frames it sent. */
  function follower() {
    const sent: [string, number][] = []
    const due: (() => void)[] = []
    const timers = {
      setTimeout: (run: () => void) => due.push(run),
      clearTimeout: () => undefined,
    }
    const follow = followReadMarks({ read: (room, seq) => sent.push([room, seq]) }, timers)
    const flush = () => due.splice(0).forEach((run) => run())
    return { sent, follow, flush }
  }

  test('a mark moved here is sent; one that came from another device is not sent back', () => {
    const state = withRooms(view('dev', { lastSeq: 4, readSeq: 1, unread: 3 }))
    const { sent, follow, flush } = follower()
    const echoed = run(state, { type: 'read', room: 'dev', seq: 3 }).state
    follow(echoed, state)
    flush()
    expect(sent).toEqual([])
    const readHere = markRead(echoed, 'dev')
    follow(readHere, echoed)
    flush()
    expect(sent).toEqual([['dev', 4]])
  })
})

describe('my rooms from the server', () => {
  test('a DM is named by the other people in it; kind and role come along', () => {
    const dm = view('dm-abc', { kind: 'dm', members: ['ann', 'bob', 'cy'] })
    const state = withRooms(dm, view('secret', { kind: 'private', role: 'owner' }))
    expect(roomLabel(state.rooms['dm-abc']!, 'ann')).toBe('bob, cy')
    expect(state.rooms['secret']?.kind).toBe('private')
    expect(state.rooms['secret']?.role).toBe('owner')
    expect(roomLabel(state.rooms['secret']!, 'ann')).toBe('secret')
  })

  test('pruning drops rooms no longer listed (the open one falls back to the lobby)', () => {
    const state = { ...withRooms(view('dev')), current: 'dev' }
    const pruned = syncMyRooms(state, [view('lobby')], true)
    expect(pruned.roomNames).toEqual(['lobby'])
    expect(pruned.current).toBe('lobby')
    expect(syncMyRooms(state, [view('lobby')], false).roomNames).toEqual(['dev', 'lobby'])
  })

  test('a room listed again is no longer remembered as left', () => {
    const state = { ...withRooms(), left: ['dev'] }
    expect(syncMyRooms(state, [view('lobby'), view('dev')], false).left).toEqual([])
  })
})

describe('the user channel and membership events', () => {
  test('added: fetch my rooms again', () => {
    const { effects } = run(withRooms(), {
      type: 'membership',
      room: 'secret',
      op: 'added',
      kind: 'private',
    })
    expect(effects).toEqual([{ type: 'syncRooms' }])
  })

  test('removed: the room goes, the lobby opens, a notice says so', () => {
    const state = { ...withRooms(view('secret', { kind: 'private' })), current: 'secret' }
    const { state: after } = run(state, {
      type: 'membership',
      room: 'secret',
      op: 'removed',
      kind: 'private',
    })
    expect(after.rooms['secret']).toBeUndefined()
    expect(after.roomNames).toEqual(['lobby'])
    expect(after.current).toBe('lobby')
    expect(after.notice).toBe('You are no longer in #secret.')
  })

  test('the room event removing me says I was removed; the left frame after it changes nothing', () => {
    const state = withRooms(view('secret', { kind: 'private', lastSeq: 2 }))
    const joined = run(state, { type: 'joined', room: 'secret', seq: 2, online: [] }).state
    const removed: ServerFrame = {
      type: 'member',
      room: 'secret',
      seq: 3,
      user: 'bob',
      ts: 3,
      subject: 'ann',
      op: 'remove',
    }
    const after = run(joined, removed, { type: 'left', room: 'secret', reason: 'removed' }).state
    expect(after.rooms['secret']).toBeUndefined()
    expect(after.notice).toBe('You were removed from #secret.')
  })

  test('left elsewhere: the room goes without a notice', () => {
    const state = withRooms(view('dev'))
    const after = run(state, { type: 'left', room: 'dev', reason: 'left' }).state
    expect(after.rooms['dev']).toBeUndefined()
    expect(after.notice).toBeNull()
  })

  test('a late room_not_found for a room already gone shows nothing', () => {
    const state = withRooms()
    const after = run(state, {
      type: 'error',
      code: 'room_not_found',
      message: 'Room not found.',
      room: 'secret',
    }).state
    expect(after).toBe(state)
  })

  test('my role changes live; a topic shows; the @ list is fetched again after a member event', () => {
    const state = withRooms(view('dev', { lastSeq: 1 }))
    const joined = run(state, { type: 'joined', room: 'dev', seq: 1, online: [] }).state
    const withMembers = {
      ...joined,
      rooms: { ...joined.rooms, dev: { ...joined.rooms['dev']!, members: ['ann'] } },
    }
    const after = run(
      withMembers,
      {
        type: 'member',
        room: 'dev',
        seq: 2,
        user: 'bob',
        ts: 2,
        subject: 'ann',
        op: 'role',
        role: 'admin',
      },
      { type: 'room', room: 'dev', seq: 3, user: 'bob', ts: 3, topic: 'Ship it' },
    ).state
    expect(after.rooms['dev']?.role).toBe('admin')
    expect(after.rooms['dev']?.topic).toBe('Ship it')
    expect(after.rooms['dev']?.members).toBeNull()
    expect(after.rooms['dev']?.memberSeq).toBe(2)
    expect(unreadCount(after.rooms['dev']!, 'ann')).toBe(0)
  })

  test('addRoom keeps the kind it is given', () => {
    expect(addRoom(withRooms(), 'x', 0, 'private').rooms['x']?.kind).toBe('private')
  })
})
