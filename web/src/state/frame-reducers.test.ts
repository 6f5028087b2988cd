import { describe, expect, test } from 'vitest'
import type { ChatMessage, ServerFrame } from '../../../src/protocol/index.js'
import type { OutboxItem } from '../outbox.js'
import {
  addRoom,
  type ChatState,
  historyPage,
  initialChatState,
  type SavedChat,
  typingStopped,
  unreadCount,
} from './chat-state.js'
import { type FrameEnv, type Reduced, reduceFrame } from './frame-reducers.js'

const me: ChatState['me'] = { id: 'u1', username: 'ann' }
const env: FrameEnv = { now: 1_000, visible: true }
const nothingSaved: SavedChat = { outbox: [], left: [], readMarks: {}, drafts: {} }

function msg(seq: number, user = 'bob', room = 'lobby'): ChatMessage {
  return { room, seq, id: `m${seq}`, user, text: `t${seq}`, ts: seq, cid: `c${seq}` }
}
const frameOf = (m: ChatMessage): ServerFrame => ({ type: 'message', ...m })

function pending(cid: string, text = 'hello', room = 'lobby'): OutboxItem {
  return { cid, room, text, createdAt: 1, failed: false }
}

/** A state with the lobby joined (not open, so nothing is marked read unless a test opens it). */
function chat(saved: Partial<SavedChat> = {}): ChatState {
  return addRoom(initialChatState(me, { ...nothingSaved, ...saved }), 'lobby', 0)
}

/** Applies frames in order, collecting every effect. */
function run(state: ChatState, ...frames: ServerFrame[]): Reduced {
  const effects: Reduced['effects'][number][] = []
  for (const frame of frames) {
    const reduced = reduceFrame(state, frame, env)
    state = reduced.state
    effects.push(...reduced.effects)
  }
  return { state, effects }
}

const seqs = (state: ChatState, room = 'lobby') => state.rooms[room]?.messages.map((m) => m.seq)

describe('messages', () => {
  test('are kept in seq order whatever order they arrive in', () => {
    const { state } = run(chat(), ...[3, 1, 2].map((s) => frameOf(msg(s))))
    expect(seqs(state)).toEqual([1, 2, 3])
    expect(state.rooms['lobby']?.lastSeq).toBe(3)
  })

  test('the same seq twice is shown once, and the second copy changes nothing', () => {
    const once = run(chat(), frameOf(msg(1)), frameOf(msg(2))).state
    const twice = run(once, frameOf(msg(2)), frameOf(msg(1))).state
    expect(seqs(twice)).toEqual([1, 2])
    expect(twice.rooms['lobby']?.messages).toBe(once.rooms['lobby']?.messages)
  })

  test('a gap stays visible as such until the missing seqs arrive, then fills in order', () => {
    const gapped = run(chat(), frameOf(msg(1)), frameOf(msg(2)), frameOf(msg(5))).state
    expect(seqs(gapped)).toEqual([1, 2, 5])
    // Unread counts what the server numbered, not what we hold: the gap is not hidden.
    expect(unreadCount(gapped.rooms['lobby']!, 'ann')).toBe(5)
    const filled = run(gapped, frameOf(msg(4)), frameOf(msg(3))).state
    expect(seqs(filled)).toEqual([1, 2, 3, 4, 5])
  })

  test('for a room not joined are ignored', () => {
    const state = chat()
    expect(run(state, frameOf(msg(1, 'bob', 'elsewhere'))).state).toBe(state)
  })

  test('in the open, visible room are read; in another room they count as unread', () => {
    const open = { ...chat(), current: 'lobby' }
    expect(run(open, frameOf(msg(1))).state.rooms['lobby']?.readSeq).toBe(1)
    const elsewhere = addRoom(open, 'dev', 0)
    const after = run(elsewhere, frameOf(msg(1, 'bob', 'dev'))).state
    expect(unreadCount(after.rooms['dev']!, 'ann')).toBe(1)
  })
})

describe('own messages: ack and echo', () => {
  const withPending = () => chat({ outbox: [pending('c1')] })
  const echo = frameOf({ ...msg(7, 'ann'), cid: 'c1', text: 'hello' })
  const ack: ServerFrame = { type: 'ack', room: 'lobby', cid: 'c1', seq: 7 }

  test('ack first: the message shows at once from the outbox, and the later echo adds nothing', () => {
    const acked = run(withPending(), ack).state
    expect(acked.outbox).toEqual([])
    expect(acked.rooms['lobby']?.messages.map((m) => [m.seq, m.text])).toEqual([[7, 'hello']])
    const echoed = run(acked, echo).state
    expect(seqs(echoed)).toEqual([7])
  })

  test('echo first: the echo clears the outbox, and the later ack adds nothing', () => {
    const echoed = run(withPending(), echo).state
    expect(echoed.outbox).toEqual([])
    const acked = run(echoed, ack).state
    expect(seqs(acked)).toEqual([7])
    expect(acked.rooms['lobby']?.messages[0]).toBe(echoed.rooms['lobby']?.messages[0])
  })

  test('an ack clears the outbox even if the room was left before it came', () => {
    const gone = initialChatState(me, { ...nothingSaved, outbox: [pending('c1', 'hi', 'dev')] })
    const { state } = run(gone, { type: 'ack', room: 'dev', cid: 'c1', seq: 2 })
    expect(state.outbox).toEqual([])
    expect(state.rooms['dev']).toBeUndefined()
  })

  test('an ack for a cid we do not hold (another tab) shows nothing by itself', () => {
    const state = run(chat(), { type: 'ack', room: 'lobby', cid: 'zzz', seq: 3 }).state
    expect(seqs(state)).toEqual([])
  })

  test('an echo of someone else with the same cid does not clear our outbox', () => {
    const state = run(withPending(), frameOf({ ...msg(7, 'bob'), cid: 'c1' })).state
    expect(state.outbox.map((i) => i.cid)).toEqual(['c1'])
  })

  test('ack or echo marks the message sent ("Sent"), and forgets that it had stalled', () => {
    const stalledOne = { ...withPending(), stalled: { c1: true as const } }
    for (const frame of [ack, echo]) {
      const { state } = run(stalledOne, frame)
      expect(state.sentSeq).toEqual({ lobby: 7 })
      expect(state.stalled).toEqual({})
    }
    // Another tab's message (a cid we never held) is not ours to confirm.
    expect(run(chat(), { ...ack, cid: 'zzz' }).state.sentSeq).toEqual({})
  })
})

describe('resume after reconnect', () => {
  test('joined with a seq, then the replay from `since`, shows every message once', () => {
    const before = run(chat(), ...[1, 2, 3].map((s) => frameOf(msg(s)))).state
    const rejoined = run(before, { type: 'joined', room: 'lobby', seq: 5, online: ['bob', 'ann'] })
    expect(rejoined.effects).toEqual([])
    expect(rejoined.state.rooms['lobby']?.lastSeq).toBe(5)
    expect(rejoined.state.rooms['lobby']?.online).toEqual(['ann', 'bob'])
    // The replay may overlap what we hold (the cursor is the highest seq seen, sent as `since`).
    const replayed = run(rejoined.state, ...[3, 4, 5].map((s) => frameOf(msg(s)))).state
    expect(seqs(replayed)).toEqual([1, 2, 3, 4, 5])
  })

  test('a joined older than what we hold never moves lastSeq back', () => {
    const ahead = run(chat(), frameOf(msg(1)), frameOf(msg(6))).state
    const { state } = run(ahead, { type: 'joined', room: 'lobby', seq: 3, online: [] })
    expect(state.rooms['lobby']?.lastSeq).toBe(6)
  })

  test('joined for the open room holding no messages asks for history', () => {
    const open = { ...chat(), current: 'lobby' }
    const { effects, state } = run(open, { type: 'joined', room: 'lobby', seq: 9, online: [] })
    expect(effects).toEqual([{ type: 'loadOlder', room: 'lobby' }])
    expect(state.rooms['lobby']?.readSeq).toBe(9)
  })

  test('history marked done while the room looked empty is reopened when joined says otherwise', () => {
    const done = {
      ...chat(),
      rooms: { lobby: { ...chat().rooms['lobby']!, history: 'done' as const } },
    }
    const { state } = run(done, { type: 'joined', room: 'lobby', seq: 4, online: [] })
    expect(state.rooms['lobby']?.history).toBe('idle')
  })

  test('a late joined for a room the user left does not bring it back', () => {
    const state = initialChatState(me, { ...nothingSaved, left: ['dev'] })
    const { state: after } = run(state, { type: 'joined', room: 'dev', seq: 3, online: [] })
    expect(after.rooms['dev']).toBeUndefined()
    expect(after.roomNames).toEqual([])
  })
})

describe('read marks', () => {
  test('a room starts from its saved mark, and reading it updates the marks to save', () => {
    const state = addRoom(chat({ readMarks: { dev: 2 } }), 'dev', 7)
    expect(unreadCount(state.rooms['dev']!, 'ann')).toBe(5)
    const opened = run({ ...state, current: 'dev' }, frameOf(msg(8, 'bob', 'dev'))).state
    expect(opened.rooms['dev']?.readSeq).toBe(8)
    expect(opened.readMarks).toEqual({ lobby: 0, dev: 8 })
  })
})

describe('history pages', () => {
  test('an older page is prepended without duplicates, and a short page ends the history', () => {
    const live = run(chat(), ...[51, 52].map((s) => frameOf(msg(s)))).state
    const page = Array.from({ length: 50 }, (_, i) => msg(i + 3)) // 3..52, overlapping 51-52
    const first = historyPage(live, 'lobby', page)
    expect(seqs(first)).toEqual(Array.from({ length: 50 }, (_, i) => i + 3))
    expect(first.rooms['lobby']?.history).toBe('idle')
    const last = historyPage(first, 'lobby', [msg(1), msg(2)])
    expect(seqs(last)?.slice(0, 4)).toEqual([1, 2, 3, 4])
    expect(seqs(last)).toHaveLength(52)
    expect(last.rooms['lobby']?.history).toBe('done')
  })
})

describe('presence and typing', () => {
  test('join and leave update the sorted online list and add notices after the last message', () => {
    const { state } = run(
      chat(),
      frameOf(msg(4)),
      { type: 'presence', room: 'lobby', user: 'zed', event: 'join' },
      { type: 'presence', room: 'lobby', user: 'bob', event: 'join' },
      { type: 'presence', room: 'lobby', user: 'zed', event: 'leave' },
    )
    const lobby = state.rooms['lobby']!
    expect(lobby.online).toEqual(['bob'])
    expect(lobby.notices.map((n) => [n.afterSeq, n.text])).toEqual([
      [4, 'zed joined'],
      [4, 'bob joined'],
      [4, 'zed left'],
    ])
    expect(new Set(lobby.notices.map((n) => n.id)).size).toBe(3)
  })

  test('typing shows others (once each), never me, and ends with their message or leaving', () => {
    const typing = (user: string): ServerFrame => ({ type: 'typing', room: 'lobby', user })
    const { state, effects } = run(
      chat(),
      typing('bob'),
      typing('bob'),
      typing('cy'),
      typing('ann'),
    )
    expect(state.rooms['lobby']?.typing).toEqual(['bob', 'cy'])
    expect(effects).toEqual([
      { type: 'typingSeen', room: 'lobby', user: 'bob' },
      { type: 'typingSeen', room: 'lobby', user: 'bob' },
      { type: 'typingSeen', room: 'lobby', user: 'cy' },
    ])
    const after = run(state, frameOf(msg(1, 'bob')), {
      type: 'presence',
      room: 'lobby',
      user: 'cy',
      event: 'leave',
    }).state
    expect(after.rooms['lobby']?.typing).toEqual([])
    expect(typingStopped(state, 'lobby', 'cy').rooms['lobby']?.typing).toEqual(['bob'])
  })
})

describe('previews', () => {
  const card = { url: 'https://a.example/', title: 'A', description: null, image: null }
  const preview = (seq: number, url = card.url): ServerFrame => ({
    type: 'preview',
    room: 'lobby',
    seq,
    ...card,
    url,
  })

  test('attach to the message with their seq only, once per url', () => {
    const base = run(chat(), frameOf(msg(1)), frameOf(msg(2)), frameOf(msg(3))).state
    const { state } = run(
      base,
      preview(2),
      preview(2),
      preview(2, 'https://b.example/'),
      preview(9),
    )
    const [one, two, three] = state.rooms['lobby']!.messages
    expect(one?.previews).toBeUndefined()
    expect(two?.previews?.map((p) => p.url)).toEqual(['https://a.example/', 'https://b.example/'])
    expect(three?.previews).toBeUndefined()
  })

  test('survive a replay of their message without previews', () => {
    const base = run(chat(), frameOf(msg(2)), preview(2)).state
    const { state } = run(base, frameOf(msg(2)))
    expect(state.rooms['lobby']?.messages[0]?.previews).toHaveLength(1)
  })
})

describe('errors', () => {
  test('an error answering a pending cid marks that message failed with the reason', () => {
    const state = chat({ outbox: [pending('c1'), pending('c2')] })
    const { state: after, effects } = run(state, {
      type: 'error',
      code: 'rate_limited',
      message: 'Slow down',
      cid: 'c2',
    })
    expect(after.outbox.map((i) => [i.cid, i.failed])).toEqual([
      ['c1', false],
      ['c2', true],
    ])
    expect(after.failures).toEqual({ c2: 'Slow down' })
    expect(after.notice).toBeNull()
    expect(effects).toEqual([])
  })

  test('an error without a known cid is a notice; unauthorized signs out', () => {
    const noticed = run(chat(), { type: 'error', code: 'room_not_found', message: '', cid: 'zz' })
    expect(noticed.state.notice).toBe('room_not_found')
    const out = run(chat(), { type: 'error', code: 'unauthorized', message: 'Sign in' })
    expect(out.effects).toEqual([{ type: 'signOut' }])
    expect(out.state.notice).toBeNull()
  })
})

describe('a deleted room', () => {
  test('leaves the joined list on room_not_found, and the lobby opens if it was open', () => {
    let state = addRoom(chat(), 'doomed', 3)
    state = { ...state, current: 'doomed' }
    const frame: ServerFrame = {
      type: 'error',
      code: 'room_not_found',
      message: 'The room was deleted.',
      room: 'doomed',
    }
    const after = run(state, frame).state
    expect(after.roomNames).toEqual(['lobby'])
    expect(after.rooms['doomed']).toBeUndefined()
    expect(after.current).toBe('lobby')
    expect(after.notice).toBe('#doomed was deleted.')
  })
})

describe('deletes', () => {
  test("erase the target's text, previews and files, and leave the others alone", () => {
    const file = {
      id: 'f1',
      name: 'a.png',
      size: 3,
      type: 'image/png',
      url: '/api/rooms/lobby/files/f1',
    }
    const withFile = { ...msg(2), attachments: [file] }
    const base = run(chat(), frameOf(msg(1)), frameOf(withFile)).state
    const { state } = run(base, {
      type: 'delete',
      room: 'lobby',
      seq: 3,
      user: 'bob',
      ts: 3,
      cid: 'd1',
      target: 2,
    })
    const [one, two] = state.rooms['lobby']!.messages
    expect(one).toMatchObject({ ...msg(1), text: 't1' })
    expect(one?.deleted).toBeUndefined()
    expect(two).toMatchObject({ seq: 2, text: '', deleted: true })
    expect(two?.attachments).toBeUndefined()
  })
})
