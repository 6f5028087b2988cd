/**
 * Pure frame reducers: state + one server frame → the next state, plus the effects the caller
 * must run (load history, time out a typing line, sign out). One reducer per frame type.
 */
import type {
  ChatMessage,
  MessageChangeEvent,
  NotifyFrame,
  ServerFrame,
} from '../../../src/protocol/index.js'
import {
  addRoom,
  type ChatState,
  delivered,
  LOBBY,
  markRead,
  otherEventSeen,
  patchRoom,
  type RoomState,
  typingStopped,
} from './chat-state.js'
import { addLogMessage, applyLogChange, type ShownMessage } from './message-changes.js'
import { dropRoom, noLongerIn, removedNotice } from './room-list.js'

/** What a reducer may know of the world besides the state, passed in so it stays pure. */
export interface FrameEnv {
  readonly now: number
  /** The page is on screen: a message arriving in the open room counts as read. */
  readonly visible: boolean
}

export type Effect =
  | { readonly type: 'loadOlder'; readonly room: string }
  /** Someone typed: their typing line expires unless they type again (chat/typing-expiry). */
  | { readonly type: 'typingSeen'; readonly room: string; readonly user: string }
  | { readonly type: 'signOut' }
  /** A mention or a DM for me: a desktop notification, if the tab is hidden and allowed. */
  | { readonly type: 'notify'; readonly frame: NotifyFrame }
  /** My rooms changed on the server (added to one): fetch GET /api/me/rooms again. */
  | { readonly type: 'syncRooms' }

export interface Reduced {
  readonly state: ChatState
  readonly effects: readonly Effect[]
}

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>
type Reducer<T extends ServerFrame['type']> = (
  state: ChatState,
  frame: FrameOf<T>,
  env: FrameEnv,
) => Reduced

const only = (state: ChatState): Reduced => ({ state, effects: [] })

const joined: Reducer<'joined'> = (state, { room: name, seq, online }) => {
  // A late answer to a join for a room left since must not bring it back.
  if (state.left.includes(name)) return only(state)
  let next = addRoom(state, name, seq)
  const room = next.rooms[name]
  if (!room) return only(state)
  // History marked done while we still thought the room empty is not done if it has messages.
  const stale = room.history === 'done' && room.messages.length === 0 && seq > 0
  next = patchRoom(next, name, {
    online: [...new Set(online)].sort(),
    lastSeq: Math.max(room.lastSeq, seq),
    // The first join starts from the room as it is (history pages show it); a rejoin keeps its
    // mark, and the replay after it fills what was missed.
    appliedSeq: room.appliedSeq ?? seq,
    ...(stale ? { history: 'idle' as const } : {}),
  })
  if (next.current !== name) return only(next)
  next = markRead(next, name)
  return {
    state: next,
    effects: room.messages.length === 0 ? [{ type: 'loadOlder', room: name }] : [],
  }
}

function setRoom(state: ChatState, room: RoomState): ChatState {
  return { ...state, rooms: { ...state.rooms, [room.name]: room } }
}

/** A message seen: lastSeq, typing, the outbox (the echo acknowledges as well as the ack does). */
function messageSeen(state: ChatState, room: RoomState, message: ChatMessage, env: FrameEnv) {
  let next = setRoom(state, { ...room, lastSeq: Math.max(room.lastSeq, message.seq) })
  next = typingStopped(next, room.name, message.user)
  // The echo of our own message acknowledges it as well as the ack does.
  if (message.user === state.me.username)
    next = delivered(next, message.cid, room.name, message.seq)
  return next.current === room.name && env.visible ? markRead(next, room.name) : next
}

/** From the log: applied once by seq (message-changes.ts), so replays never show twice. */
const message: Reducer<'message'> = (state, frame, env) => {
  const room = state.rooms[frame.room]
  if (!room) return only(state)
  const { type: _type, ...stored } = frame
  return only(messageSeen(state, addLogMessage(room, stored), stored, env))
}

/**
 * Our own message, acknowledged: shown now if its copy from the log has not come yet. Only
 * provisionally: the ack may overtake earlier events of the log, so it neither moves the applied
 * mark nor stands in for the log's copy, which replaces it.
 */
const ack: Reducer<'ack'> = (state, { room: name, cid, seq }, env) => {
  const item = state.outbox.find((i) => i.cid === cid)
  const next = delivered(state, cid, name, seq)
  const room = next.rooms[name]
  if (!item || !room || room.messages.some((m) => m.seq === seq)) return only(next)
  const { username } = state.me
  const files = item.attachments ? { attachments: [...item.attachments] } : {}
  const shown: ShownMessage = {
    room: name,
    seq,
    id: cid,
    user: username,
    text: item.text,
    ts: env.now,
    cid,
    ...files,
    ...(item.replyTo === undefined ? {} : { replyTo: item.replyTo }),
    provisional: true,
  }
  const messages = [...room.messages, shown].sort((a, b) => a.seq - b.seq)
  return only(messageSeen(next, { ...room, messages }, shown, env))
}

const presence: Reducer<'presence'> = (state, { room: name, user, event }) => {
  const room = state.rooms[name]
  if (!room) return only(state)
  const online = new Set(room.online)
  if (event === 'join') online.add(user)
  else online.delete(user)
  const notice = {
    id: state.noticeIds + 1,
    afterSeq: room.messages.at(-1)?.seq ?? 0,
    text: `${user} ${event === 'join' ? 'joined' : 'left'}`,
  }
  const next = patchRoom({ ...state, noticeIds: notice.id }, name, {
    online: [...online].sort(),
    notices: [...room.notices, notice],
  })
  return only(event === 'leave' ? typingStopped(next, name, user) : next)
}

const typing: Reducer<'typing'> = (state, { room: name, user }) => {
  if (user === state.me.username) return only(state)
  const room = state.rooms[name]
  const next =
    room && !room.typing.includes(user)
      ? patchRoom(state, name, { typing: [...room.typing, user] })
      : state
  return { state: next, effects: [{ type: 'typingSeen', room: name, user }] }
}

const preview: Reducer<'preview'> = (state, frame) => {
  const room = state.rooms[frame.room]
  const target = room?.messages.find((m) => m.seq === frame.seq)
  if (!room || !target || target.previews?.some((p) => p.url === frame.url)) return only(state)
  const card = {
    url: frame.url,
    title: frame.title,
    description: frame.description,
    image: frame.image,
  }
  const updated = { ...target, previews: [...(target.previews ?? []), card] }
  return only(
    patchRoom(state, frame.room, {
      messages: room.messages.map((m) => (m.seq === frame.seq ? updated : m)),
    }),
  )
}

/** The server ended the subscription (removed, or left elsewhere): only a removal says so. */
const left: Reducer<'left'> = (state, { room, reason }) => {
  if (reason === undefined || !state.rooms[room]) return only(state)
  return only(dropRoom(state, room, reason === 'removed' ? removedNotice(state, room) : null))
}

/** User channel: added to a room (fetch my rooms, which brings it) or removed from one. */
const membership: Reducer<'membership'> = (state, { room, op }) =>
  op === 'added' ? { state, effects: [{ type: 'syncRooms' }] } : only(noLongerIn(state, room))

/** A log event that is no message: it counts as applied, not as unread. */
function otherEvent(state: ChatState, name: string, seq: number, env: FrameEnv): ChatState {
  const room = state.rooms[name]
  if (!room || (room.appliedSeq !== null && seq <= room.appliedSeq)) return state
  const next = setRoom(state, { ...otherEventSeen(room, seq), appliedSeq: seq })
  return next.current === name && env.visible ? markRead(next, name) : next
}

/** A membership change: not unread; the members panel refetches; my own new role applies. */
const member: Reducer<'member'> = (state, { room, seq, subject, op, role }, env) => {
  const next = otherEvent(state, room, seq, env)
  const shown = next.rooms[room]
  if (next === state || !shown) return only(state)
  const me = subject === state.me.username
  if (me && op === 'remove') return only(dropRoom(next, room, removedNotice(state, room)))
  if (me && op === 'leave') return only(dropRoom(next, room, null))
  const mine = me && op === 'role' && role !== undefined
  // The @-completion's list is stale now (a DM's members never change): fetched again when asked.
  const members = shown.kind === 'dm' ? {} : { members: null }
  return only(patchRoom(next, room, { memberSeq: seq, ...members, ...(mine ? { role } : {}) }))
}

/** Changed settings: the topic shows in the header. */
const roomEvent: Reducer<'room'> = (state, { room, seq, topic }, env) => {
  const next = otherEvent(state, room, seq, env)
  if (next === state || topic === undefined) return only(next)
  return only(patchRoom(next, room, { topic }))
}

/** An edit, delete or reaction: applied once, in seq order, to the message and its replies' quotes. */
function change(state: ChatState, event: MessageChangeEvent, env: FrameEnv): Reduced {
  const room = state.rooms[event.room]
  if (!room) return only(state)
  let changed = applyLogChange(room, event)
  if (changed === room) return only(state)
  if (event.type === 'delete' && changed.editing === event.target)
    changed = { ...changed, editing: null }
  const next = setRoom(state, otherEventSeen(changed, event.seq))
  return only(next.current === event.room && env.visible ? markRead(next, event.room) : next)
}
const edit: Reducer<'edit'> = (state, frame, env) => change(state, frame, env)
const deleteEvent: Reducer<'delete'> = (state, frame, env) => change(state, frame, env)
const reaction: Reducer<'reaction'> = (state, frame, env) => change(state, frame, env)

const error: Reducer<'error'> = (state, { code, message: text, cid, room }) => {
  if (cid && state.outbox.some((i) => i.cid === cid)) {
    return only({
      ...state,
      outbox: state.outbox.map((i) => (i.cid === cid ? { ...i, failed: true } : i)),
      failures: { ...state.failures, [cid]: text || code },
    })
  }
  if (code === 'unauthorized') return { state, effects: [{ type: 'signOut' }] }
  if (code === 'room_not_found' && room !== undefined) {
    // A room already gone from the list (removed, left): the late answer changes nothing.
    if (!state.rooms[room]) return only(state)
    if (room !== LOBBY) return only(dropRoom(state, room, `#${room} was deleted.`))
  }
  return only({ ...state, notice: text || code })
}

/**
 * User channel: a mention raises the room's mention badge (unless I am looking at the room), and
 * a mention or DM may show a desktop notification (the effect decides, by visibility).
 */
const notify: Reducer<'notify'> = (state, frame, env) => {
  const room = state.rooms[frame.room]
  const looking = state.current === frame.room && env.visible
  const next =
    room && frame.kind === 'mention' && !looking
      ? patchRoom(state, frame.room, { mentions: room.mentions + 1 })
      : state
  // A room not in my list yet (a DM just opened by someone else): my rooms changed.
  const sync: Effect[] = room ? [] : [{ type: 'syncRooms' }]
  return { state: next, effects: [{ type: 'notify', frame }, ...sync] }
}

/** User channel: my read mark moved on another tab or device; this one follows (never back). */
const read: Reducer<'read'> = (state, { room: name, seq }) => {
  const room = state.rooms[name]
  if (!room || seq <= room.readSeq) return only(state)
  const mentions = seq >= room.lastSeq ? 0 : room.mentions
  const next = patchRoom(state, name, { readSeq: seq, serverReadSeq: seq, mentions })
  return only({ ...next, readMarks: { ...next.readMarks, [name]: seq } })
}

const reducers: { readonly [T in ServerFrame['type']]: Reducer<T> } = {
  joined,
  message,
  ack,
  presence,
  typing,
  preview,
  left,
  notify,
  read,
  membership,
  error,
  member,
  room: roomEvent,
  edit,
  delete: deleteEvent,
  reaction,
}

export function reduceFrame(state: ChatState, frame: ServerFrame, env: FrameEnv): Reduced {
  // The map is keyed by the frame's own tag, so this reducer takes exactly this frame type.
  const reduce = reducers[frame.type] as
    ((s: ChatState, f: ServerFrame, e: FrameEnv) => Reduced) | undefined
  // A newer server may send frame types this client does not know yet: ignore them.
  return reduce ? reduce(state, frame, env) : only(state)
}
