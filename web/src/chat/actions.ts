/**
 * What the user (and the app's timers) can do: load, open, create, join and leave rooms, scroll
 * back, send, retry, discard, reconnect. Each changes the state through the pure updates in state/ and talks
 * to the server through the API or the link; persistence and joins follow the state on their own.
 */
import type { FileView, MyRoomView, RoomView } from '../../../src/protocol/index.js'
import { ApiError, type Api } from '../api.js'
import type { ChatLink } from '../chat-link.js'
import {
  addRoom,
  byName,
  type ChatState,
  HISTORY_PAGE,
  historyPage,
  LOBBY,
  markRead,
  patchRoom,
  setDraft,
} from '../state/chat-state.js'
import type { ChatStateHolder } from '../state/state-holder.js'
import type { OutboxSender } from './outbox-sender.js'

/** Rooms joined automatically (for live unread counts); more would only cost sockets' bandwidth. */
const MAX_JOINED_ROOMS = 50

export interface ActionDeps {
  readonly holder: ChatStateHolder
  readonly link: Pick<ChatLink, 'typing' | 'retryNow'>
  readonly sender: Pick<OutboxSender, 'add' | 'retry' | 'discard'>
  readonly api: Pick<Api, 'rooms' | 'createRoom' | 'historyBefore' | 'myRooms'>
  /** The room open before the last reload, if any. */
  readonly savedCurrent: () => string | null
  readonly signOut: () => void
}

export class ChatActions {
  readonly #holder: ChatStateHolder
  readonly #deps: ActionDeps

  constructor(deps: ActionDeps) {
    this.#holder = deps.holder
    this.#deps = deps
  }

  get #state(): ChatState {
    return this.#holder.state
  }

  /**
   * Fetches the first page of the room list (the server pages it; a flood of rooms must not cost
   * every client the whole list), joining its rooms the user has not left. Pages fetched with
   * `loadMoreRooms` are kept.
   */
  async loadRooms(): Promise<void> {
    let rooms: RoomView[]
    let next: string | null
    try {
      ;({ rooms, next } = await this.#deps.api.rooms())
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 401) return this.#deps.signOut()
      return this.#holder.set({
        ...this.#state,
        notice: 'Could not load the room list; retrying soon.',
      })
    }
    // The lobby first, so it is always among the rooms joined; rooms the user left stay unjoined.
    const wanted = rooms
      .filter((room) => room.name === LOBBY || !this.#state.left.includes(room.name))
      .sort((a, b) => Number(b.name === LOBBY) - Number(a.name === LOBBY))
    let state = this.#state
    for (const room of wanted.slice(0, MAX_JOINED_ROOMS))
      state = addRoom(state, room.name, room.lastSeq)
    const joined = state.rooms
    // Rooms from later pages fetched before stay listed, and so does the cursor past them.
    const beyond = next === null ? [] : state.otherRooms.filter((room) => room.name > next)
    const otherRooms = rooms
      .filter((room) => !joined[room.name])
      .map((room) => ({ name: room.name, lastSeq: room.lastSeq }))
      .concat(beyond)
      .sort(byName)
    const moreRooms = beyond.length > 0 ? this.#state.moreRooms : next
    this.#holder.set({ ...state, otherRooms, moreRooms })
    void this.#loadMyRooms()
    if (this.#state.current === null) {
      const saved = this.#deps.savedCurrent()
      const first = saved && this.#state.rooms[saved] ? saved : this.#state.roomNames[0]
      if (first) this.selectRoom(first)
    }
  }

  /**
   * My role (who may delete what) and mention counts per room, from the server. A read mark
   * further on here than on the server (not sent yet) keeps this tab's count.
   */
  async #loadMyRooms(): Promise<void> {
    let mine: MyRoomView[]
    try {
      mine = await this.#deps.api.myRooms()
    } catch {
      return
    }
    this.#holder.update((state) => {
      let next = state
      for (const view of mine) {
        const room = next.rooms[view.name]
        if (!room) continue
        const behind = view.readSeq < room.readSeq || view.name === next.current
        next = patchRoom(next, view.name, {
          role: view.role,
          readSeq: Math.max(room.readSeq, view.readSeq),
          mentions: behind ? room.mentions : view.mentions,
        })
      }
      return next
    })
  }

  /** Fetches the room list's next page, listing its rooms as joinable. */
  async loadMoreRooms(): Promise<void> {
    const after = this.#state.moreRooms
    if (after === null) return
    let page: { rooms: RoomView[]; next: string | null }
    try {
      page = await this.#deps.api.rooms(after)
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 401) return this.#deps.signOut()
      return this.#holder.set({ ...this.#state, notice: 'Could not load more rooms.' })
    }
    const state = this.#state
    const known = new Set(state.otherRooms.map((room) => room.name))
    const added = page.rooms
      .filter((room) => !state.rooms[room.name] && !known.has(room.name))
      .map((room) => ({ name: room.name, lastSeq: room.lastSeq }))
    const otherRooms = [...state.otherRooms, ...added].sort(byName)
    this.#holder.set({ ...state, otherRooms, moreRooms: page.next })
  }

  selectRoom(name: string): void {
    const before = this.#state.rooms[name]
    const newSince = before && before.readSeq < before.lastSeq ? before.readSeq : null
    this.#holder.set({ ...this.#state, current: name, newSince, highlight: null })
    this.markRead(name)
    const room = this.#state.rooms[name]
    if (room && room.messages.length === 0) void this.loadOlder(name)
  }

  async createRoom(name: string): Promise<string | null> {
    try {
      const room = await this.#deps.api.createRoom(name)
      // The creator owns the room (GET /api/me/rooms says so too, at the next refresh).
      this.#holder.update((state) =>
        patchRoom(addRoom(state, room.name, room.lastSeq), room.name, { role: 'owner' }),
      )
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
    const state = this.#state
    const other = state.otherRooms.find((room) => room.name === name)
    const next = {
      ...state,
      left: state.left.filter((n) => n !== name),
      otherRooms: state.otherRooms.filter((room) => room.name !== name),
    }
    this.#holder.set(addRoom(next, name, other?.lastSeq ?? 0))
    this.selectRoom(name)
  }

  /**
   * Leaves a room: unsubscribes (the others see "X left"), forgets its messages (a rejoin starts
   * from the latest history, like a first visit), remembers the choice across reloads and opens
   * the lobby. The lobby itself cannot be left.
   */
  leaveRoom(name: string): void {
    const state = this.#state
    const room = state.rooms[name]
    if (name === LOBBY || !room) return
    const { [name]: _gone, ...rooms } = state.rooms
    this.#holder.set({
      ...state,
      rooms,
      roomNames: state.roomNames.filter((n) => n !== name),
      otherRooms: [...state.otherRooms, { name, lastSeq: room.lastSeq }].sort(byName),
      left: [...state.left, name].sort(),
    })
    if (this.#state.current !== name) return
    const next = this.#state.rooms[LOBBY] ? LOBBY : (this.#state.roomNames[0] ?? null)
    if (next) this.selectRoom(next)
    else this.#holder.set({ ...this.#state, current: null })
  }

  /** Loads the page of history before the oldest message we hold (scroll-back). */
  async loadOlder(name: string): Promise<void> {
    const room = this.#state.rooms[name]
    if (!room || room.history === 'loading' || room.history === 'done') return
    const before = room.messages[0]?.seq ?? room.lastSeq + 1
    const patch = (history: 'done' | 'loading' | 'error') =>
      this.#holder.update((state) => patchRoom(state, name, { history }))
    if (before <= 1) return patch('done')
    patch('loading')
    try {
      const page = await this.#deps.api.historyBefore(name, before, HISTORY_PAGE)
      this.#holder.update((state) => historyPage(state, name, page))
    } catch {
      patch('error')
    }
  }

  /**
   * A message of text, files, or both (the files already uploaded: see upload.ts), to the open
   * room; a reply if the composer is in reply mode, which ends with it.
   */
  send(text: string, attachments: readonly FileView[] = []): boolean {
    const room = this.#state.current
    if (!room || (text.trim() === '' && attachments.length === 0)) return false
    const replyTo = this.#state.rooms[room]?.replyTo ?? null
    if (replyTo !== null) this.#holder.update((state) => patchRoom(state, room, { replyTo: null }))
    // A message of files alone has no text at all, not blank text.
    this.#deps.sender.add(
      room,
      attachments.length > 0 && text.trim() === '' ? '' : text,
      attachments,
      replyTo ?? undefined,
    )
    return true
  }

  /** Resends with the same cid (in order, see outbox-sender.ts), so nothing is stored twice. */
  retry(cid: string): void {
    this.#deps.sender.retry(cid)
  }

  discard(cid: string): void {
    this.#deps.sender.discard(cid)
  }

  /** "Retry now" in the connection banner: reconnect without waiting out the backoff. */
  reconnectNow(): void {
    this.#deps.link.retryNow()
  }

  /** The composer's text for `room`, kept per room and across reloads. */
  setDraft(room: string, text: string): void {
    this.#holder.update((state) => setDraft(state, room, text))
  }

  typing(): void {
    const room = this.#state.current
    if (room) this.#deps.link.typing(room)
  }

  markRead(name: string): void {
    this.#holder.update((state) => markRead(state, name))
  }

  dismissNotice(): void {
    this.#holder.set({ ...this.#state, notice: null })
  }
}
