/**
 * The chat's state and the actions that change it. Server frames come in through `frame()`; views
 * read immutable snapshots through `subscribe`/`state` (see useStore in views/use-store.ts).
 */
import type {
  ChatMessage,
  LinkPreview,
  RoomView,
  ServerFrame,
  UserView,
} from '../../src/protocol/index.js'
import type { Api } from './api.js'
import { ApiError } from './api.js'
import type { Connection, ConnectionListener, ConnectionStatus } from './connection.js'
import { newCid, Outbox, type KeyValueStore, type OutboxItem } from './outbox.js'
import { mergeMessages } from './timeline.js'
import { TypingTracker } from './typing.js'

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
  /** Rooms that exist but are not joined, sorted by name. */
  readonly otherRooms: readonly OtherRoom[]
  readonly rooms: Readonly<Record<string, RoomState>>
  readonly current: string | null
  readonly status: ConnectionStatus
  readonly outbox: readonly OutboxItem[]
  /** Why an outbox item was refused, by cid. */
  readonly failures: Readonly<Record<string, string>>
  readonly notice: string | null
}

export const HISTORY_PAGE = 50
/** Rooms joined automatically (for live unread counts); more would only cost sockets' bandwidth. */
const MAX_JOINED_ROOMS = 50
/** A send not acknowledged within this long means the socket is silently dead (e.g. a lost network). */
const ACK_TIMEOUT_MS = 10_000
/** In long-poll mode there are no presence frames: the open room's online list is fetched this often. */
export const PRESENCE_POLL_MS = 7_000
/** Everyone is always in the lobby (the server creates it); it cannot be left. */
export const LOBBY = 'lobby'
let noticeIds = 0

const byName = (a: OtherRoom, b: OtherRoom): number => (a.name < b.name ? -1 : 1)

export class ChatStore implements ConnectionListener {
  #state: ChatState
  readonly #listeners = new Set<() => void>()
  readonly #outbox: Outbox
  readonly #typing: TypingTracker
  #connection: Connection | null = null
  readonly #storage: KeyValueStore
  readonly #readKey: string
  readonly #leftKey: string
  #presenceTimer: ReturnType<typeof setInterval> | null = null
  /** Rooms the user left; kept in localStorage so a reload or the room refresh does not rejoin them. */
  readonly #left: Set<string>

  constructor(
    me: UserView,
    private readonly api: Api,
    storage: KeyValueStore,
    private readonly onSignedOut: () => void,
  ) {
    this.#storage = storage
    this.#outbox = new Outbox(storage, `eddy.outbox.${me.username}`)
    this.#readKey = `eddy.read.${me.username}`
    this.#leftKey = `eddy.left.${me.username}`
    this.#left = this.#loadLeft()
    this.#typing = new TypingTracker((room, users) => this.#patchRoom(room, { typing: users }))
    this.#state = {
      me,
      roomNames: [],
      otherRooms: [],
      rooms: {},
      current: null,
      status: 'connecting',
      outbox: this.#outbox.items,
      failures: {},
      notice: null,
    }
  }

  get state(): ChatState {
    return this.#state
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  attach(connection: Connection): void {
    this.#connection = connection
  }

  async loadRooms(): Promise<void> {
    let rooms: RoomView[]
    try {
      rooms = await this.api.rooms()
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 401) return this.unauthorized()
      return this.#set({ notice: 'Could not load the room list; retrying soon.' })
    }
    // The lobby first, so it is always among the rooms joined; rooms the user left stay unjoined.
    const wanted = rooms
      .filter((room) => room.name === LOBBY || !this.#left.has(room.name))
      .sort((a, b) => Number(b.name === LOBBY) - Number(a.name === LOBBY))
    for (const room of wanted.slice(0, MAX_JOINED_ROOMS)) this.#addRoom(room.name, room.lastSeq)
    this.#set({
      otherRooms: rooms
        .filter((room) => !this.#state.rooms[room.name])
        .map((room) => ({ name: room.name, lastSeq: room.lastSeq }))
        .sort(byName),
    })
    if (this.#state.current === null) {
      const saved = this.#storage.getItem(`eddy.current.${this.#state.me.username}`)
      const first = saved && this.#state.rooms[saved] ? saved : this.#state.roomNames[0]
      if (first) this.selectRoom(first)
    }
  }

  selectRoom(name: string): void {
    this.#set({ current: name })
    if (this.#presenceTimer !== null) void this.#pollPresence()
    this.#storage.setItem(`eddy.current.${this.#state.me.username}`, name)
    this.markRead(name)
    const room = this.#state.rooms[name]
    if (room && room.messages.length === 0) void this.loadOlder(name)
  }

  async createRoom(name: string): Promise<string | null> {
    try {
      const room = await this.api.createRoom(name)
      this.#addRoom(room.name, room.lastSeq)
      this.selectRoom(room.name)
      return null
    } catch (error: unknown) {
      if (error instanceof ApiError && error.code === 'room_exists') {
        this.joinRoom(name.toLowerCase())
        return null
      }
      return error instanceof Error ? error.message : 'Could not create the room.'
    }
  }

  /** Joins a room from the "other rooms" list (or one someone else created) and opens it. */
  joinRoom(name: string): void {
    if (this.#left.delete(name)) this.#saveLeft()
    const other = this.#state.otherRooms.find((room) => room.name === name)
    this.#set({ otherRooms: this.#state.otherRooms.filter((room) => room.name !== name) })
    this.#addRoom(name, other?.lastSeq ?? 0)
    this.selectRoom(name)
  }

  /**
   * Leaves a room: unsubscribes (the others see "X left"), forgets its messages (a rejoin starts
   * from the latest history, like a first visit), remembers the choice across reloads and opens
   * the lobby. The lobby itself cannot be left.
   */
  leaveRoom(name: string): void {
    const room = this.#state.rooms[name]
    if (name === LOBBY || !room) return
    this.#connection?.leave(name)
    this.#left.add(name)
    this.#saveLeft()
    const { [name]: _gone, ...rooms } = this.#state.rooms
    const otherRooms = [...this.#state.otherRooms, { name, lastSeq: room.lastSeq }].sort(byName)
    this.#set({ rooms, roomNames: this.#state.roomNames.filter((n) => n !== name), otherRooms })
    for (const user of room.typing) this.#typing.stopped(name, user)
    if (this.#state.current === name) {
      const next = this.#state.rooms[LOBBY] ? LOBBY : (this.#state.roomNames[0] ?? null)
      if (next) this.selectRoom(next)
      else this.#set({ current: null })
    }
  }

  /** Loads the page of history before the oldest message we hold (scroll-back). */
  async loadOlder(name: string): Promise<void> {
    const room = this.#state.rooms[name]
    if (!room || room.history === 'loading' || room.history === 'done') return
    const before = room.messages[0]?.seq ?? room.lastSeq + 1
    if (before <= 1) return this.#patchRoom(name, { history: 'done' })
    this.#patchRoom(name, { history: 'loading' })
    try {
      const page = await this.api.historyBefore(name, before, HISTORY_PAGE)
      const latest = this.#state.rooms[name]
      if (!latest) return
      const done = page.length < HISTORY_PAGE || page[0]?.seq === 1
      this.#patchRoom(name, {
        messages: mergeMessages(latest.messages, page),
        history: done ? 'done' : 'idle',
      })
    } catch {
      this.#patchRoom(name, { history: 'error' })
    }
  }

  send(text: string): boolean {
    const room = this.#state.current
    if (!room || text.trim() === '') return false
    const item = { cid: newCid(), room, text, createdAt: Date.now() }
    this.#outbox.add(item)
    this.#syncOutbox()
    this.#dispatch(room, text, item.cid)
    return true
  }

  /** Sends now, and if no ack comes in time the socket is presumed dead and replaced. */
  #dispatch(room: string, text: string, cid: string): boolean {
    const sent = this.#connection?.send(room, text, cid) ?? false
    if (sent) {
      setTimeout(() => {
        const stillPending = this.#state.outbox.some((i) => i.cid === cid && !i.failed)
        if (stillPending && this.#state.status === 'online') this.#connection?.kick()
      }, ACK_TIMEOUT_MS)
    }
    return sent
  }

  /** Resends with the same cid, so a message that did arrive is not stored twice. */
  retry(cid: string): void {
    const item = this.#state.outbox.find((i) => i.cid === cid)
    if (!item) return
    this.#outbox.setFailed(cid, false)
    const { [cid]: _dropped, ...failures } = this.#state.failures
    this.#set({ failures })
    this.#syncOutbox()
    if (!this.#dispatch(item.room, item.text, item.cid)) this.#connection?.retryNow()
  }

  discard(cid: string): void {
    this.#outbox.remove(cid)
    this.#syncOutbox()
  }

  typing(): void {
    const room = this.#state.current
    if (room) this.#connection?.typing(room)
  }

  markRead(name: string): void {
    const room = this.#state.rooms[name]
    if (!room || room.readSeq >= room.lastSeq) return
    this.#patchRoom(name, { readSeq: room.lastSeq })
    this.#saveRead()
  }

  dismissNotice(): void {
    this.#set({ notice: null })
  }

  // ConnectionListener

  status(status: ConnectionStatus): void {
    // Notices like "the server is restarting" are stale once we are back.
    this.#set(status === 'online' ? { status, notice: null } : { status })
    if (status === 'polling') this.#startPresencePolling()
    else this.stopPresencePolling()
  }

  /** Stops fetching the online list (long-poll mode ended, or the page is going away). */
  stopPresencePolling(): void {
    if (this.#presenceTimer !== null) clearInterval(this.#presenceTimer)
    this.#presenceTimer = null
  }

  #startPresencePolling(): void {
    if (this.#presenceTimer !== null) return
    this.#presenceTimer = setInterval(() => void this.#pollPresence(), PRESENCE_POLL_MS)
    void this.#pollPresence()
  }

  /** Replaces the open room's online list with the server's (GET /api/rooms/:room/online). */
  async #pollPresence(): Promise<void> {
    const name = this.#state.current
    if (!name || !this.#state.rooms[name]) return
    try {
      // We are polling this room, so we are in it, even if this answer beat our first parked poll.
      const online = new Set([...(await this.api.online(name)), this.#state.me.username])
      if (this.#presenceTimer !== null) this.#patchRoom(name, { online: [...online].sort() })
    } catch {
      // The next tick tries again; the list on screen stays as it was.
    }
  }

  ready(room: string): void {
    for (const item of this.#state.outbox) {
      if (item.room === room && !item.failed) this.#dispatch(room, item.text, item.cid)
    }
  }

  unauthorized(): void {
    this.stopPresencePolling()
    this.#connection?.stop()
    this.onSignedOut()
  }

  frame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        return this.#onJoined(frame.room, frame.seq, frame.online)
      case 'message':
        return this.#onMessages(frame.room, [frame])
      case 'ack':
        return this.#onAck(frame.room, frame.cid, frame.seq)
      case 'presence':
        return this.#onPresence(frame.room, frame.user, frame.event)
      case 'typing':
        if (frame.user !== this.#state.me.username) this.#typing.saw(frame.room, frame.user)
        return
      case 'preview':
        return this.#onPreview(frame.room, frame.seq, frame)
      case 'left':
        return
      case 'error':
        return this.#onError(frame.code, frame.message, frame.cid)
    }
  }

  #onJoined(name: string, seq: number, online: readonly string[]): void {
    // A late answer to a join for a room left since must not bring it back.
    if (this.#left.has(name)) return
    this.#addRoom(name, seq)
    const room = this.#state.rooms[name]
    if (!room) return
    // History marked done while we still thought the room empty is not done if it has messages.
    const stale = room.history === 'done' && room.messages.length === 0 && seq > 0
    this.#patchRoom(name, {
      online: [...new Set(online)].sort(),
      lastSeq: Math.max(room.lastSeq, seq),
      ...(stale ? { history: 'idle' as const } : {}),
    })
    if (this.#state.current === name) {
      this.markRead(name)
      if (room.messages.length === 0) void this.loadOlder(name)
    }
  }

  #onMessages(name: string, messages: readonly ChatMessage[]): void {
    const room = this.#state.rooms[name]
    if (!room) return
    const merged = mergeMessages(room.messages, messages)
    const lastSeq = Math.max(room.lastSeq, ...messages.map((m) => m.seq))
    this.#patchRoom(name, { messages: merged, lastSeq })
    for (const message of messages) {
      this.#typing.stopped(name, message.user)
      if (message.user === this.#state.me.username) this.#acked(message.cid)
    }
    if (this.#state.current === name && isVisible()) this.markRead(name)
  }

  #onAck(name: string, cid: string, seq: number): void {
    const item = this.#state.outbox.find((i) => i.cid === cid)
    this.#acked(cid)
    const room = this.#state.rooms[name]
    // The echo normally arrives as a message frame; if it has not yet, show the acked text now.
    if (item && room && !room.messages.some((m) => m.seq === seq)) {
      const { username } = this.#state.me
      const message = {
        room: name,
        seq,
        id: cid,
        user: username,
        text: item.text,
        ts: Date.now(),
        cid,
      }
      this.#onMessages(name, [message])
    }
  }

  #acked(cid: string): void {
    if (!this.#outbox.remove(cid)) return
    this.#syncOutbox()
  }

  #onPresence(name: string, user: string, event: 'join' | 'leave'): void {
    const room = this.#state.rooms[name]
    if (!room) return
    const online = new Set(room.online)
    if (event === 'join') online.add(user)
    else online.delete(user)
    const afterSeq = room.messages.at(-1)?.seq ?? 0
    const notice = {
      id: ++noticeIds,
      afterSeq,
      text: `${user} ${event === 'join' ? 'joined' : 'left'}`,
    }
    if (event === 'leave') this.#typing.stopped(name, user)
    this.#patchRoom(name, { online: [...online].sort(), notices: [...room.notices, notice] })
  }

  #onPreview(name: string, seq: number, preview: LinkPreview): void {
    const room = this.#state.rooms[name]
    const message = room?.messages.find((m) => m.seq === seq)
    if (!room || !message || message.previews?.some((p) => p.url === preview.url)) return
    const card = {
      url: preview.url,
      title: preview.title,
      description: preview.description,
      image: preview.image,
    }
    const updated = { ...message, previews: [...(message.previews ?? []), card] }
    this.#patchRoom(name, { messages: room.messages.map((m) => (m.seq === seq ? updated : m)) })
  }

  #onError(code: string, message: string, cid: string | undefined): void {
    if (cid && this.#state.outbox.some((i) => i.cid === cid)) {
      this.#outbox.setFailed(cid, true)
      this.#set({ failures: { ...this.#state.failures, [cid]: message || code } })
      this.#syncOutbox()
      return
    }
    if (code === 'unauthorized') return this.unauthorized()
    this.#set({ notice: message || code })
  }

  #addRoom(name: string, lastSeq: number): void {
    const existing = this.#state.rooms[name]
    if (existing) {
      if (lastSeq > existing.lastSeq) this.#patchRoom(name, { lastSeq })
      return
    }
    const readSeq = this.#loadRead()[name] ?? lastSeq
    const room: RoomState = {
      name,
      messages: [],
      notices: [],
      online: [],
      typing: [],
      lastSeq,
      readSeq,
      history: 'idle',
    }
    this.#set({
      rooms: { ...this.#state.rooms, [name]: room },
      roomNames: [...this.#state.roomNames, name].sort(),
    })
    this.#connection?.join(name)
  }

  #patchRoom(name: string, patch: Partial<RoomState>): void {
    const room = this.#state.rooms[name]
    if (!room) return
    this.#set({ rooms: { ...this.#state.rooms, [name]: { ...room, ...patch } } })
  }

  #syncOutbox(): void {
    this.#set({ outbox: this.#outbox.items })
  }

  #loadRead(): Record<string, number> {
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#readKey) ?? '{}')
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, number>) : {}
    } catch {
      return {}
    }
  }

  #loadLeft(): Set<string> {
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#leftKey) ?? '[]')
      if (!Array.isArray(parsed)) return new Set()
      return new Set(parsed.filter((n): n is string => typeof n === 'string' && n !== LOBBY))
    } catch {
      return new Set()
    }
  }

  #saveLeft(): void {
    this.#storage.setItem(this.#leftKey, JSON.stringify([...this.#left].sort()))
  }

  #saveRead(): void {
    const read: Record<string, number> = {}
    for (const room of Object.values(this.#state.rooms)) read[room.name] = room.readSeq
    this.#storage.setItem(this.#readKey, JSON.stringify(read))
  }

  #set(patch: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...patch }
    for (const listener of this.#listeners) listener()
  }
}

/** Unread = messages from others after the read mark (own messages never count). */
export function unreadCount(room: RoomState, me: string): number {
  const own = room.messages.filter((m) => m.seq > room.readSeq && m.user === me).length
  return Math.max(0, room.lastSeq - room.readSeq - own)
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible'
}
