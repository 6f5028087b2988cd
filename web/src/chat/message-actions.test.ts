import { describe, expect, test } from 'vitest'
import type { ChatMessage } from '../../../src/protocol/index.js'
import type { ChangeFrame } from '../chat-link.js'
import { addRoom, type ChatState, initialChatState, patchRoom } from '../state/chat-state.js'
import type { ShownMessage } from '../state/message-changes.js'
import { ChatStateHolder } from '../state/state-holder.js'
import { canDelete, MessageActions } from './message-actions.js'

const me = { id: 'u1', username: 'ann' }

function message(seq: number, user = 'bob', extra: Partial<ShownMessage> = {}): ShownMessage {
  const base: ChatMessage = {
    room: 'lobby',
    seq,
    id: `m${seq}`,
    user,
    text: `t${seq}`,
    ts: seq,
    cid: `c${seq}`,
  }
  return { ...base, ...extra }
}

function setup(messages: ShownMessage[], options: { admin?: boolean; online?: boolean } = {}) {
  const empty = initialChatState(
    me,
    { outbox: [], left: [], readMarks: {}, drafts: {} },
    options.admin,
  )
  const holder = new ChatStateHolder(patchRoom(addRoom(empty, 'lobby', 0), 'lobby', { messages }))
  const sent: ChangeFrame[] = []
  const pages: number[] = []
  const actions = new MessageActions({
    holder,
    link: {
      change: (frame) => {
        if (options.online === false) return false
        sent.push(frame)
        return true
      },
    },
    api: {
      members: () =>
        Promise.resolve([
          { username: 'zed', role: 'member' },
          { username: 'bob', role: 'owner' },
        ]),
    },
    loadOlder: (room) => {
      // Each call brings the ten messages before the oldest held.
      const oldest = holder.state.rooms[room]?.messages[0]?.seq ?? 1
      pages.push(oldest)
      const page = Array.from({ length: 10 }, (_, i) => message(oldest - 10 + i)).filter(
        (m) => m.seq > 0,
      )
      holder.update((state) =>
        patchRoom(state, room, {
          messages: [...page, ...(state.rooms[room]?.messages ?? [])],
          history: page.length < 10 ? 'done' : 'idle',
        }),
      )
      return Promise.resolve()
    },
  })
  const room = () => holder.state.rooms['lobby']!
  return { holder, actions, sent, pages, room }
}

describe('who may delete', () => {
  const state = (admin: boolean): ChatState =>
    initialChatState(me, { outbox: [], left: [], readMarks: {}, drafts: {} }, admin)
  const room = (role: 'owner' | 'admin' | 'member' | null) => ({
    ...addRoom(state(false), 'x', 0).rooms['x']!,
    role,
  })

  test("my own messages; anyone's as a room owner or admin, or a server admin; never a tombstone", () => {
    expect(canDelete(state(false), room(null), message(1, 'ann'))).toBe(true)
    expect(canDelete(state(false), room('member'), message(1, 'bob'))).toBe(false)
    expect(canDelete(state(false), room('owner'), message(1, 'bob'))).toBe(true)
    expect(canDelete(state(false), room('admin'), message(1, 'bob'))).toBe(true)
    expect(canDelete(state(true), room(null), message(1, 'bob'))).toBe(true)
    expect(canDelete(state(true), room('owner'), message(1, 'bob', { deleted: true }))).toBe(false)
  })
})

describe('message actions', () => {
  test('a reaction is added, or taken back when I had made it', () => {
    const { actions, sent } = setup([
      message(1, 'bob', { reactions: { '👍': ['ann'], '🎉': ['bob'] } }),
    ])
    actions.toggleReaction('lobby', 1, '👍')
    actions.toggleReaction('lobby', 1, '🎉')
    expect(sent.map((f) => f.type === 'react' && [f.emoji, f.op])).toEqual([
      ['👍', 'remove'],
      ['🎉', 'add'],
    ])
    expect(new Set(sent.map((f) => f.cid)).size).toBe(2)
  })

  test('Up edits my latest message that is neither deleted nor only provisional', () => {
    const { actions, room } = setup([
      message(1, 'ann'),
      message(2, 'ann'),
      message(3, 'ann', { deleted: true }),
      message(4, 'bob'),
      message(5, 'ann', { provisional: true }),
    ])
    expect(actions.editLast('lobby')).toBe(true)
    expect(room().editing).toBe(2)
    expect(setup([message(1, 'bob')]).actions.editLast('lobby')).toBe(false)
  })

  test('only my messages can be edited; unchanged text just closes the editor', () => {
    const { actions, room, sent } = setup([message(1, 'ann'), message(2, 'bob')])
    actions.startEdit('lobby', 2)
    expect(room().editing).toBeNull()
    actions.startEdit('lobby', 1)
    expect(actions.saveEdit('lobby', 1, 't1')).toBe(true)
    expect(sent).toEqual([])
    expect(room().editing).toBeNull()
    actions.startEdit('lobby', 1)
    expect(actions.saveEdit('lobby', 1, '  ')).toBe(false)
    expect(actions.saveEdit('lobby', 1, 'new')).toBe(true)
    expect(sent).toMatchObject([{ type: 'edit', room: 'lobby', target: 1, text: 'new' }])
  })

  test('offline, an edit stays open and says why; nothing is queued', () => {
    const { actions, room, holder } = setup([message(1, 'ann')], { online: false })
    actions.startEdit('lobby', 1)
    expect(actions.saveEdit('lobby', 1, 'new')).toBe(false)
    expect(room().editing).toBe(1)
    expect(holder.state.notice).toMatch(/Not connected/)
  })

  test('reply mode is per room and ends an edit', () => {
    const { actions, room } = setup([message(1, 'ann')])
    actions.startEdit('lobby', 1)
    actions.startReply('lobby', 1)
    expect(room()).toMatchObject({ replyTo: 1, editing: null })
    actions.cancelReply('lobby')
    expect(room().replyTo).toBeNull()
  })

  test('a jump loads older pages until the message is held, then highlights it', async () => {
    const { actions, holder, pages } = setup([message(30), message(31)])
    await actions.jumpTo('lobby', 12)
    expect(pages).toEqual([30, 20])
    expect(holder.state.highlight).toEqual({ room: 'lobby', seq: 12, id: 1 })
    await actions.jumpTo('lobby', 31)
    expect(pages).toHaveLength(2)
    expect(holder.state.highlight).toEqual({ room: 'lobby', seq: 31, id: 2 })
  })

  test('a jump stops where the history ends', async () => {
    const { actions, holder, pages } = setup([message(5)])
    await actions.jumpTo('lobby', 0)
    expect(pages).toEqual([5])
    expect(holder.state.highlight?.seq).toBe(0)
  })

  test('members are fetched once, sorted, for @ completion', async () => {
    const { actions, room } = setup([])
    await actions.loadMembers('lobby')
    expect(room().members).toEqual(['bob', 'zed'])
  })
})
