/**
 * The chat's UI state (immutable snapshots) and the pure updates that the frame reducers and the
 * actions share. Nothing here does I/O or sets timers.
 */
import type { MessageChangeEvent, Role, RoomKind, UserView } from '../../../src/protocol/index.js'
import type { LinkStatus } from '../chat-link.js'
import type { OutboxItem } from '../outbox.js'
import { mergeTimeline, type ShownMessage } from './message-changes.js'

export type { ShownMessage } from './message-changes.js'

/** A "alice joined" line, shown after the message that was last when it happened. */
export interface Notice {
  readonly id: number
  readonly afterSeq: number
  readonly text: string
}

export type HistoryState = 'idle' | 'loading' | 'done' | 'error'

/** The server's unread count (GET /api/me/rooms): `count` others' messages in (readSeq, upTo]. */
export interface UnreadBase {
  readonly readSeq: number
  readonly upTo: number
  readonly count: number
}

export interface RoomState {
  readonly name: string
  /** Public, private (a lock in the sidebar) or a DM (shown by the other people's names). */
  readonly kind: RoomKind
  /** The header's topic; undefined until known (GET /api/rooms, or a `room` event). */
  readonly topic: string | null | undefined
  /** The server's unread count when the room list was last fetched; null before. */
  readonly unreadBase: UnreadBase | null
  /** Seq of the latest `member` event seen: the members panel refetches when it moves. */
  readonly memberSeq: number
  readonly messages: readonly ShownMessage[]
  /** Highest seq of any log event applied (message-changes.ts); null until first joined. */
  readonly appliedSeq: number | null
  /** Changes to messages not held yet, applied when a history page brings them. */
  readonly orphans: readonly MessageChangeEvent[]
  /** Seqs of log events that are no messages, after the read mark: they are not unread. */
  readonly otherSeqs: readonly number[]
  readonly notices: readonly Notice[]
  readonly online: readonly string[]
  readonly typing: readonly string[]
  /** Highest seq the server has told us about. */
  readonly lastSeq: number
  readonly readSeq: number
  /** The mark the server is known to hold (its list, a `read` frame): never sent back to it. */
  readonly serverReadSeq: number
  readonly history: HistoryState
  /** Messages mentioning me after the read mark (server count, then `notify` frames). */
  readonly mentions: number
  /** My role in the room, once the server said (GET /api/me/rooms). */
  readonly role: Role | null
  /** Members' usernames for @-completion, once fetched (a DM's from the start). */
  readonly members: readonly string[] | null
  /** The composer answers this message (its seq). */
  readonly replyTo: number | null
  /** This message of mine is being edited in place (its seq). */
  readonly editing: number | null
}

/** A message to bring into view and highlight (a reply's parent, a notification's message). */
export interface Highlight {
  readonly room: string
  readonly seq: number
  /** Changes on every jump, so jumping to the same message again highlights it again. */
  readonly id: number
}

/** A public room I am not a member of: listed under Other rooms, joinable. */
export interface OtherRoom {
  readonly name: string
  readonly lastSeq: number
}

export interface ChatState {
  readonly me: UserView
  /** A server admin (ADMIN_USERS) may delete anyone's message anywhere. */
  readonly admin: boolean
  readonly highlight: Highlight | null
  /** Joined rooms, sorted. */
  readonly roomNames: readonly string[]
  /** Rooms that exist but are not joined, sorted by name (of the pages of the list fetched so far). */
  readonly otherRooms: readonly OtherRoom[]
  /** The cursor of the room list's next page, null when every page has been fetched. */
  readonly moreRooms: string | null
  readonly rooms: Readonly<Record<string, RoomState>>
  readonly current: string | null
  /**
   * The open room's read mark as it stood when the room was opened: the "new messages" line goes
   * after it. Null when there was nothing unread.
   */
  readonly newSince: number | null
  readonly status: LinkStatus
  /** While reconnecting: when the next attempt starts (epoch ms); null while one is under way. */
  readonly retryAt: number | null
  /** The browser says there is no network at all (navigator.onLine). */
  readonly networkOffline: boolean
  /** Messages written but not acknowledged yet, oldest first. */
  readonly outbox: readonly OutboxItem[]
  /** Why an outbox item was refused, by cid. */
  readonly failures: Readonly<Record<string, string>>
  /** Outbox items not acknowledged in time (shown "Not sent"; still resent when a link is back). */
  readonly stalled: Readonly<Record<string, true>>
  /** Per room, the seq of the last message of mine the server acknowledged here ("Sent"). */
  readonly sentSeq: Readonly<Record<string, number>>
  readonly notice: string | null
  /** Rooms the user left, sorted; a reload or the room refresh must not rejoin them. */
  readonly left: readonly string[]
  /** Read marks as last saved; a room (re)added starts from its saved mark. */
  readonly readMarks: Readonly<Record<string, number>>
  /** Unsent text per room, so a draft stays with its room (and survives a reload). */
  readonly drafts: Readonly<Record<string, string>>
  /** Ids of presence notices handed out so far (ids key the notice lines in the view). */
  readonly noticeIds: number
}

/** What survives a reload (see chat/persistence.ts). */
export interface SavedChat {
  readonly outbox: readonly OutboxItem[]
  readonly left: readonly string[]
  readonly readMarks: Readonly<Record<string, number>>
  readonly drafts: Readonly<Record<string, string>>
}

/** Everyone is always in the lobby (the server creates it); it cannot be left. */
export const LOBBY = 'lobby'
export const HISTORY_PAGE = 50

export function initialChatState(me: UserView, saved: SavedChat, admin = false): ChatState {
  return {
    me,
    admin,
    highlight: null,
    roomNames: [],
    otherRooms: [],
    moreRooms: null,
    rooms: {},
    current: null,
    newSince: null,
    status: 'connecting',
    retryAt: null,
    networkOffline: false,
    outbox: saved.outbox,
    failures: {},
    stalled: {},
    sentSeq: {},
    notice: null,
    left: saved.left,
    readMarks: saved.readMarks,
    drafts: saved.drafts,
    noticeIds: 0,
  }
}

export const byName = (a: OtherRoom, b: OtherRoom): number => (a.name < b.name ? -1 : 1)

export function patchRoom(state: ChatState, name: string, patch: Partial<RoomState>): ChatState {
  const room = state.rooms[name]
  if (!room) return state
  return { ...state, rooms: { ...state.rooms, [name]: { ...room, ...patch } } }
}

/** Adds a joined room (read mark from the saved ones), or raises a known room's lastSeq. */
export function addRoom(
  state: ChatState,
  name: string,
  lastSeq: number,
  kind: RoomKind = 'public',
): ChatState {
  const existing = state.rooms[name]
  if (existing) return lastSeq > existing.lastSeq ? patchRoom(state, name, { lastSeq }) : state
  const room: RoomState = {
    name,
    kind,
    topic: undefined,
    unreadBase: null,
    memberSeq: 0,
    messages: [],
    appliedSeq: null,
    orphans: [],
    otherSeqs: [],
    notices: [],
    online: [],
    typing: [],
    lastSeq,
    readSeq: state.readMarks[name] ?? lastSeq,
    serverReadSeq: 0,
    history: 'idle',
    mentions: 0,
    role: null,
    members: null,
    replyTo: null,
    editing: null,
  }
  return {
    ...state,
    rooms: { ...state.rooms, [name]: room },
    roomNames: [...state.roomNames, name].sort(),
  }
}

/** Moves the room's read mark to its last message; the saved marks become the joined rooms'. */
export function markRead(state: ChatState, name: string): ChatState {
  const room = state.rooms[name]
  if (!room || (room.readSeq >= room.lastSeq && room.mentions === 0)) return state
  const readSeq = Math.max(room.readSeq, room.lastSeq)
  const next = patchRoom(state, name, { readSeq, mentions: 0, otherSeqs: [] })
  const readMarks: Record<string, number> = {}
  for (const joined of Object.values(next.rooms)) readMarks[joined.name] = joined.readSeq
  return { ...next, readMarks }
}

export function typingStopped(state: ChatState, name: string, user: string): ChatState {
  const room = state.rooms[name]
  if (!room?.typing.includes(user)) return state
  return patchRoom(state, name, { typing: room.typing.filter((u) => u !== user) })
}

export function removeFromOutbox(state: ChatState, cid: string): ChatState {
  if (!state.outbox.some((item) => item.cid === cid)) return state
  const { [cid]: _stalled, ...stalled } = state.stalled
  return { ...state, outbox: state.outbox.filter((item) => item.cid !== cid), stalled }
}

/** An outbox item the server stored as `seq`: out of the outbox, and "Sent" under it. */
export function delivered(state: ChatState, cid: string, room: string, seq: number): ChatState {
  if (!state.outbox.some((item) => item.cid === cid)) return state
  const next = removeFromOutbox(state, cid)
  if ((state.sentSeq[room] ?? 0) >= seq) return next
  return { ...next, sentSeq: { ...state.sentSeq, [room]: seq } }
}

/**
 * Merges a page of older history (scroll-back) into the room. A page shorter than asked for, or
 * one reaching seq 1, means there is nothing older.
 */
export function historyPage(
  state: ChatState,
  name: string,
  page: readonly ShownMessage[],
  pageSize: number = HISTORY_PAGE,
): ChatState {
  const room = state.rooms[name]
  if (!room) return state
  const done = page.length < pageSize || page[0]?.seq === 1
  const merged = mergeTimeline(room, page)
  return patchRoom(state, name, {
    messages: merged.messages,
    orphans: merged.orphans,
    history: done ? 'done' : 'idle',
  })
}

/**
 * Unread = others' messages after the read mark. Up to what the server counted (`unreadBase`)
 * its count; after that, seqs less my own messages and the events that are no messages (edits,
 * reactions, joins), so a seq we never received still counts: a gap is not hidden. Counting seqs
 * the server had already numbered would count my own join as "1 unread".
 */
export function unreadCount(room: RoomState, me: string): number {
  if (room.readSeq >= room.lastSeq) return 0
  const base = room.unreadBase
  let counted = 0
  let from = room.readSeq
  if (base && base.upTo > room.readSeq) {
    // A mark moved past the server's (read here, not fetched since): at most what is left.
    counted = room.readSeq <= base.readSeq ? base.count : Math.min(base.count, base.upTo - from)
    from = base.upTo
  }
  const own = room.messages.filter((m) => m.seq > from && m.user === me).length
  const others = room.otherSeqs.filter((seq) => seq > from).length
  return counted + Math.max(0, room.lastSeq - from - own - others)
}

/** Events that are no messages, remembered after the read mark (bounded: a count, not a log). */
const MAX_OTHER_SEQS = 1000

/** A log event that is no message was seen: it moves lastSeq but is not unread. */
export function otherEventSeen(room: RoomState, seq: number): RoomState {
  if (seq <= room.readSeq || room.otherSeqs.includes(seq)) return room
  return {
    ...room,
    lastSeq: Math.max(room.lastSeq, seq),
    otherSeqs: [...room.otherSeqs, seq].slice(-MAX_OTHER_SEQS),
  }
}

/** Keeps (or, when blank, forgets) the unsent text of one room. */
export function setDraft(state: ChatState, room: string, text: string): ChatState {
  if ((state.drafts[room] ?? '') === text) return state
  const { [room]: _old, ...others } = state.drafts
  return { ...state, drafts: text.trim() === '' ? others : { ...others, [room]: text } }
}
