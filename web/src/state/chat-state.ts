/**
 * The chat's UI state (immutable snapshots) and the pure updates that the frame reducers and the
 * actions share. Nothing here does I/O or sets timers.
 */
import type { ChatMessage, UserView } from '../../../src/protocol/index.js'
import type { LinkStatus } from '../chat-link.js'
import type { OutboxItem } from '../outbox.js'
import { mergeMessages } from '../timeline.js'

/** A "alice joined" line, shown after the message that was last when it happened. */
export interface Notice {
  readonly id: number
  readonly afterSeq: number
  readonly text: string
}

export type HistoryState = 'idle' | 'loading' | 'done' | 'error'

export interface RoomState {
  readonly name: string
  readonly messages: readonly ChatMessage[]
  readonly notices: readonly Notice[]
  readonly online: readonly string[]
  readonly typing: readonly string[]
  /** Highest seq the server has told us about. */
  readonly lastSeq: number
  readonly readSeq: number
  readonly history: HistoryState
}

/** A room the user has not joined (left it, or beyond MAX_JOINED_ROOMS): listed, joinable. */
export interface OtherRoom {
  readonly name: string
  readonly lastSeq: number
}

export interface ChatState {
  readonly me: UserView
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

export function initialChatState(me: UserView, saved: SavedChat): ChatState {
  return {
    me,
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
export function addRoom(state: ChatState, name: string, lastSeq: number): ChatState {
  const existing = state.rooms[name]
  if (existing) return lastSeq > existing.lastSeq ? patchRoom(state, name, { lastSeq }) : state
  const room: RoomState = {
    name,
    messages: [],
    notices: [],
    online: [],
    typing: [],
    lastSeq,
    readSeq: state.readMarks[name] ?? lastSeq,
    history: 'idle',
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
  if (!room || room.readSeq >= room.lastSeq) return state
  const next = patchRoom(state, name, { readSeq: room.lastSeq })
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
  page: readonly ChatMessage[],
  pageSize: number = HISTORY_PAGE,
): ChatState {
  const room = state.rooms[name]
  if (!room) return state
  const done = page.length < pageSize || page[0]?.seq === 1
  return patchRoom(state, name, {
    messages: mergeMessages(room.messages, page),
    history: done ? 'done' : 'idle',
  })
}

/** Unread = messages from others after the read mark (own messages never count). */
export function unreadCount(room: RoomState, me: string): number {
  const own = room.messages.filter((m) => m.seq > room.readSeq && m.user === me).length
  return Math.max(0, room.lastSeq - room.readSeq - own)
}

/** Keeps (or, when blank, forgets) the unsent text of one room. */
export function setDraft(state: ChatState, room: string, text: string): ChatState {
  if ((state.drafts[room] ?? '') === text) return state
  const { [room]: _old, ...others } = state.drafts
  return { ...state, drafts: text.trim() === '' ? others : { ...others, [room]: text } }
}
