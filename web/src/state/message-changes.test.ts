import { describe, expect, test } from 'vitest'
import type {
  ChatMessage,
  MessageChangeEvent,
  ServerFrame,
  TimelineMessage,
} from '../../../src/protocol/index.js'
import {
  addRoom,
  type ChatState,
  historyPage,
  initialChatState,
  unreadCount,
} from './chat-state.js'
import { type FrameEnv, reduceFrame } from './frame-reducers.js'
import { MAX_ORPHANS, replyCounts, type ShownMessage } from './message-changes.js'

const me: ChatState['me'] = { id: 'u1', username: 'ann' }
const env: FrameEnv = { now: 1_000, visible: true }

function msg(seq: number, user = 'bob', extra: Partial<ChatMessage> = {}): ServerFrame {
  const base = { room: 'lobby', seq, id: `m${seq}`, user, text: `t${seq}`, ts: seq, cid: `c${seq}` }
  return { type: 'message', ...base, ...extra }
}
const edit = (
  seq: number,
  target: number,
  text: string,
  mentions: string[] = [],
): MessageChangeEvent => ({
  type: 'edit',
  room: 'lobby',
  seq,
  user: 'bob',
  ts: seq * 10,
  target,
  text,
  mentions,
})
const del = (seq: number, target: number, user = 'bob'): MessageChangeEvent => ({
  type: 'delete',
  room: 'lobby',
  seq,
  user,
  ts: seq,
  target,
})
const react = (
  seq: number,
  target: number,
  emoji: string,
  user: string,
  op: 'add' | 'remove' = 'add',
): MessageChangeEvent => ({
  type: 'reaction',
  room: 'lobby',
  seq,
  user,
  ts: seq,
  target,
  emoji,
  op,
})

function timeline(seq: number, extra: Partial<TimelineMessage> = {}): TimelineMessage {
  return {
    type: 'message',
    room: 'lobby',
    seq,
    id: `m${seq}`,
    user: 'bob',
    text: `t${seq}`,
    ts: seq,
    cid: `c${seq}`,
    mentions: [],
    deleted: false,
    reactions: {},
    replies: 0,
    ...extra,
  }
}

/** The lobby joined at `seq` (not open), as after a first `joined`. */
function joinedAt(seq: number): ChatState {
  const state = addRoom(
    initialChatState(me, { outbox: [], left: [], readMarks: {}, drafts: {} }),
    'lobby',
    0,
  )
  return run(state, { type: 'joined', room: 'lobby', seq, online: [] })
}

function run(state: ChatState, ...frames: ServerFrame[]): ChatState {
  for (const frame of frames) state = reduceFrame(state, frame, env).state
  return state
}
const lobby = (state: ChatState) => state.rooms['lobby']!
const bySeq = (state: ChatState, seq: number): ShownMessage | undefined =>
  lobby(state).messages.find((m) => m.seq === seq)

describe('edits, deletes and reactions from the log', () => {
  test('an edit replaces the text and mentions and marks the time of the edit', () => {
    const state = run(joinedAt(0), msg(1), edit(2, 1, 'fixed', ['ann']))
    expect(bySeq(state, 1)).toMatchObject({ text: 'fixed', mentions: ['ann'], editedAt: 20 })
    expect(lobby(state).appliedSeq).toBe(2)
  })

  test('a delete leaves a tombstone: no text, mentions, previews or reactions; seq and author stay', () => {
    const preview = { url: 'https://a.example/', title: null, description: null, image: null }
    const state = run(
      joinedAt(0),
      msg(1, 'bob', { mentions: ['ann'], previews: [preview] }),
      react(2, 1, '👍', 'ann'),
      del(3, 1),
    )
    const tomb = bySeq(state, 1)!
    expect(tomb).toMatchObject({ seq: 1, user: 'bob', text: '', deleted: true, mentions: [] })
    expect(tomb.previews).toBeUndefined()
    expect(tomb.reactions).toBeUndefined()
    // Nothing brings a deleted message back: a later edit (refused by the server anyway) or reaction.
    expect(bySeq(run(state, edit(4, 1, 'back'), react(5, 1, '🎉', 'cy')), 1)).toEqual(tomb)
  })

  test('reactions add and remove by user, keep their order, and an emoji nobody uses goes away', () => {
    const state = run(
      joinedAt(0),
      msg(1),
      react(2, 1, '👍', 'bob'),
      react(3, 1, '👍', 'ann'),
      react(4, 1, '🎉', 'cy'),
      react(5, 1, '👍', 'bob', 'remove'),
      react(6, 1, '🎉', 'cy', 'remove'),
    )
    expect(bySeq(state, 1)?.reactions).toEqual({ '👍': ['ann'] })
  })

  test('each event applies once: a resume replay that overlaps what was applied changes nothing', () => {
    const live = run(
      joinedAt(0),
      msg(1),
      react(2, 1, '👍', 'bob'),
      react(3, 1, '👍', 'bob', 'remove'),
    )
    expect(bySeq(live, 1)?.reactions).toEqual({})
    // The replay from an older `since` repeats 2 (an add): applied again it would show 👍.
    const replayed = run(
      live,
      { type: 'joined', room: 'lobby', seq: 3, online: [] },
      msg(1),
      react(2, 1, '👍', 'bob'),
      react(3, 1, '👍', 'bob', 'remove'),
    )
    expect(lobby(replayed).messages).toBe(lobby(live).messages)
    expect(lobby(replayed).appliedSeq).toBe(3)
  })

  test('away while a message was edited, another deleted and a third reacted to: the replay applies each once, in order', () => {
    const before = run(joinedAt(0), msg(1), msg(2), msg(3))
    const rejoined = run(
      before,
      { type: 'joined', room: 'lobby', seq: 7, online: [] },
      edit(4, 1, 'first edit'),
      del(5, 2),
      react(6, 3, '🎉', 'bob'),
      edit(7, 1, 'second edit'),
    )
    expect(lobby(rejoined).messages.map((m) => [m.seq, m.text, m.deleted ?? false])).toEqual([
      [1, 'second edit', false],
      [2, '', true],
      [3, 't3', false],
    ])
    expect(bySeq(rejoined, 3)?.reactions).toEqual({ '🎉': ['bob'] })
    expect(run(rejoined, edit(4, 1, 'first edit'))).toBe(rejoined)
  })

  test('the first join starts from the room as it is: events up to its seq are in the history', () => {
    const state = joinedAt(10)
    expect(lobby(state).appliedSeq).toBe(10)
    // A rejoin does not move the mark: the replay after it is still to come.
    expect(
      lobby(run(state, { type: 'joined', room: 'lobby', seq: 20, online: [] })).appliedSeq,
    ).toBe(10)
  })

  test('an edit or delete of the answered message updates the quotes of replies', () => {
    const page = [timeline(5, { replyTo: 1, quote: { user: 'cy', text: 'old', deleted: false } })]
    const state = historyPage(joinedAt(5), 'lobby', page)
    const edited = run(state, edit(6, 1, 'new words'))
    expect(bySeq(edited, 5)?.quote).toEqual({ user: 'cy', text: 'new words', deleted: false })
    const deleted = run(edited, del(7, 1))
    expect(bySeq(deleted, 5)?.quote).toEqual({ user: 'cy', text: '', deleted: true })
  })

  test('edits, deletes and reactions are no unread messages', () => {
    const state = run(joinedAt(0), msg(1), edit(2, 1, 'x'), react(3, 1, '👍', 'cy'), del(4, 1))
    expect(lobby(state).lastSeq).toBe(4)
    expect(unreadCount(lobby(state), 'ann')).toBe(1)
  })

  test('a change for a room not joined is ignored', () => {
    const state = joinedAt(0)
    expect(run(state, { ...edit(1, 1, 'x'), room: 'elsewhere' })).toBe(state)
  })
})

describe('the timeline and changes that cross it', () => {
  test('a page shows messages as they are now', () => {
    const page = [
      timeline(1, { text: 'edited', editedAt: 50 }),
      timeline(2, { deleted: true, text: '' }),
      timeline(3, { reactions: { '👍': ['bob', 'ann'] }, replyTo: 1 }),
    ]
    const state = historyPage(joinedAt(3), 'lobby', page)
    expect(bySeq(state, 1)).toMatchObject({ text: 'edited', editedAt: 50 })
    expect(bySeq(state, 2)).toMatchObject({ deleted: true })
    expect(bySeq(state, 3)?.reactions).toEqual({ '👍': ['bob', 'ann'] })
  })

  test('a change that arrives while the page is in flight is applied to the page when it lands', () => {
    // Joined at 10; the page was read before the edit (11) and the reaction (12) were stored.
    const live = run(joinedAt(10), edit(11, 4, 'fixed'), react(12, 4, '🎉', 'cy'), del(13, 5))
    expect(lobby(live).orphans).toHaveLength(3)
    const state = historyPage(live, 'lobby', [timeline(4), timeline(5)])
    expect(bySeq(state, 4)).toMatchObject({ text: 'fixed', reactions: { '🎉': ['cy'] } })
    expect(bySeq(state, 5)).toMatchObject({ deleted: true })
    expect(lobby(state).orphans).toEqual([])
  })

  test('a page read after those changes ends in the same state (re-applied in order)', () => {
    const live = run(
      joinedAt(10),
      edit(11, 4, 'one'),
      edit(12, 4, 'two'),
      react(13, 4, '👍', 'cy'),
      react(14, 4, '👍', 'cy', 'remove'),
    )
    const current = timeline(4, { text: 'two', editedAt: 120, reactions: {} })
    const state = historyPage(live, 'lobby', [current])
    expect(bySeq(state, 4)).toMatchObject({ text: 'two', editedAt: 120, reactions: {} })
  })

  test('a message we hold is kept as held (it has every change since), not replaced by a page', () => {
    const live = run(joinedAt(0), msg(3), edit(4, 3, 'newer'))
    const state = historyPage(live, 'lobby', [timeline(2), timeline(3, { text: 'stale' })])
    expect(bySeq(state, 3)?.text).toBe('newer')
    expect(lobby(state).messages.map((m) => m.seq)).toEqual([2, 3])
  })

  test('changes waiting for a page are bounded', () => {
    let state = joinedAt(0)
    for (let seq = 1; seq <= MAX_ORPHANS + 20; seq++)
      state = run(state, edit(seq, 100_000 + seq, 'x'))
    expect(lobby(state).orphans).toHaveLength(MAX_ORPHANS)
    expect(lobby(state).orphans[0]?.seq).toBe(21)
  })
})

describe('replies and own messages', () => {
  test('reply counts come from the messages held, deleted replies not counted', () => {
    const state = run(
      joinedAt(0),
      msg(1),
      msg(2, 'cy', { replyTo: 1 }),
      msg(3, 'ann', { replyTo: 1 }),
      msg(4, 'cy', { replyTo: 2 }),
      del(5, 3, 'ann'),
    )
    expect([...replyCounts(lobby(state).messages)]).toEqual([
      [1, 1],
      [2, 1],
    ])
  })

  test('an ack shows my reply at once; the log copy replaces it without moving the applied mark first', () => {
    let state = joinedAt(0)
    const item = { cid: 'c9', room: 'lobby', text: 'yes', replyTo: 1, createdAt: 1, failed: false }
    state = { ...state, outbox: [item] }
    state = run(state, msg(1), { type: 'ack', room: 'lobby', cid: 'c9', seq: 3 })
    expect(bySeq(state, 3)).toMatchObject({ text: 'yes', replyTo: 1, provisional: true })
    expect(lobby(state).appliedSeq).toBe(1)
    // The edit at 2 overtaken by the ack is still applied, then the log's copy of 3 replaces ours.
    state = run(
      state,
      edit(2, 1, 'q?'),
      msg(3, 'ann', { cid: 'c9', text: 'yes', replyTo: 1, mentions: [] }),
    )
    expect(bySeq(state, 1)?.text).toBe('q?')
    expect(bySeq(state, 3)?.provisional).toBeUndefined()
    expect(bySeq(state, 3)?.mentions).toEqual([])
  })
})

describe('mentions and the user channel', () => {
  const notify = (room = 'lobby'): ServerFrame => ({
    type: 'notify',
    kind: 'mention',
    room,
    seq: 5,
    user: 'bob',
    text: '@ann hi',
  })

  test('a mention raises the badge of a room I am not looking at, and asks for a notification', () => {
    const state = joinedAt(0)
    const { state: after, effects } = reduceFrame(state, notify(), env)
    expect(lobby(after).mentions).toBe(1)
    expect(effects).toEqual([{ type: 'notify', frame: notify() }])
    const open = reduceFrame({ ...state, current: 'lobby' }, notify(), env).state
    expect(lobby(open).mentions).toBe(0)
  })

  test('reading the room clears the badge; a read mark from another device does too', () => {
    const mentioned = run(joinedAt(0), msg(5, 'bob'), notify())
    expect(lobby(mentioned).mentions).toBe(1)
    const elsewhere = run(mentioned, { type: 'read', room: 'lobby', seq: 5 })
    expect(lobby(elsewhere)).toMatchObject({ readSeq: 5, mentions: 0 })
    expect(elsewhere.readMarks['lobby']).toBe(5)
    // Never back.
    expect(run(elsewhere, { type: 'read', room: 'lobby', seq: 2 })).toBe(elsewhere)
  })
})
