/**
 * Pure frame reducers: state + one server frame → the next state, plus the effects the caller
 * must run (load history, time out a typing line, sign out). One reducer per frame type.
 */
import type { ChatMessage, ServerFrame } from '../../../src/protocol/index.js'
import {
  addRoom,
  type ChatState,
  delivered,
  LOBBY,
  markRead,
  patchRoom,
  typingStopped,
} from './chat-state.js'
import { mergeMessages } from '../timeline.js'

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
    ...(stale ? { history: 'idle' as const } : {}),
  })
  if (next.current !== name) return only(next)
  next = markRead(next, name)
  return {
    state: next,
    effects: room.messages.length === 0 ? [{ type: 'loadOlder', room: name }] : [],
  }
}

/** Messages merge by seq (timeline.ts), so replays, poll answers and echoes never show twice. */
function messages(state: ChatState, name: string, incoming: readonly ChatMessage[], env: FrameEnv) {
  const room = state.rooms[name]
  if (!room) return state
  let next = patchRoom(state, name, {
    messages: mergeMessages(room.messages, incoming),
    lastSeq: Math.max(room.lastSeq, ...incoming.map((m) => m.seq)),
  })
  for (const message of incoming) {
    next = typingStopped(next, name, message.user)
    // The echo of our own message acknowledges it as well as the ack does.
    if (message.user === state.me.username) next = delivered(next, message.cid, name, message.seq)
  }
  return next.current === name && env.visible ? markRead(next, name) : next
}

const message: Reducer<'message'> = (state, frame, env) =>
  only(messages(state, frame.room, [frame], env))

const ack: Reducer<'ack'> = (state, { room: name, cid, seq }, env) => {
  const item = state.outbox.find((i) => i.cid === cid)
  const next = delivered(state, cid, name, seq)
  const room = next.rooms[name]
  // The echo normally arrives as a message frame; if it has not yet, show the acked text now.
  if (!item || !room || room.messages.some((m) => m.seq === seq)) return only(next)
  const { username } = state.me
  const files = item.attachments ? { attachments: [...item.attachments] } : {}
  const shown = {
    room: name,
    seq,
    id: cid,
    user: username,
    text: item.text,
    ts: env.now,
    cid,
    ...files,
  }
  return only(messages(next, name, [shown], env))
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

const left: Reducer<'left'> = (state) => only(state)

/** The room was deleted (docs/protocol.md): it leaves the joined list, and the lobby opens if it was open. */
function roomDeleted(state: ChatState, room: string): ChatState {
  const { [room]: _gone, ...rooms } = state.rooms
  const roomNames = state.roomNames.filter((name) => name !== room)
  const current =
    state.current === room ? (rooms[LOBBY] ? LOBBY : (roomNames[0] ?? null)) : state.current
  return { ...state, rooms, roomNames, current, notice: `#${room} was deleted.` }
}

// Membership and settings events: the chat link already resumes after their seqs; no view yet.
const member: Reducer<'member'> = (state) => only(state)
const roomEvent: Reducer<'room'> = (state) => only(state)
// Edits, deletes and reactions: the chat link resumes after their seqs too; the view comes with
// the web client's part of issue 12.
const edit: Reducer<'edit'> = (state) => only(state)
/**
 * A delete's text, previews and files are gone from the server for good: the message shows as
 * deleted (the rest of its view comes with the web client's part of issue 12), and no thumbnail
 * of it asks for a file that no longer exists.
 */
const deleteEvent: Reducer<'delete'> = (state, { room: name, target }) => {
  const room = state.rooms[name]
  const message = room?.messages.find((m) => m.seq === target)
  if (!room || !message || message.deleted === true) return only(state)
  const { previews: _previews, attachments: _attachments, ...kept } = message
  const erased = { ...kept, text: '', mentions: [], deleted: true }
  return only(
    patchRoom(state, name, {
      messages: room.messages.map((m) => (m.seq === target ? erased : m)),
    }),
  )
}
const reaction: Reducer<'reaction'> = (state) => only(state)

const error: Reducer<'error'> = (state, { code, message: text, cid, room }) => {
  if (cid && state.outbox.some((i) => i.cid === cid)) {
    return only({
      ...state,
      outbox: state.outbox.map((i) => (i.cid === cid ? { ...i, failed: true } : i)),
      failures: { ...state.failures, [cid]: text || code },
    })
  }
  if (code === 'unauthorized') return { state, effects: [{ type: 'signOut' }] }
  if (code === 'room_not_found' && room !== undefined && state.rooms[room] && room !== LOBBY) {
    return only(roomDeleted(state, room))
  }
  return only({ ...state, notice: text || code })
}

// User-channel frames (notify, read, membership) are about the user's rooms list, which this client
// does not keep yet; they change nothing here until it does.
const notify: Reducer<'notify'> = (state) => only(state)
const read: Reducer<'read'> = (state) => only(state)
const membership: Reducer<'membership'> = (state) => only(state)

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
