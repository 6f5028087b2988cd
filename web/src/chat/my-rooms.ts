/**
 * My rooms, as the server keeps them: the sidebar's list (GET /api/me/rooms), public rooms to
 * join (GET /api/rooms, paged), creating a room, opening a DM, joining and leaving. Live changes
 * come from the user channel (frame-reducers.ts); this refetches when they say so.
 */
import type { MyRoomView, RoomView } from '../../../src/protocol/index.js'
import { ApiError, type Api } from '../api.js'
import {
  addRoom,
  byName,
  type ChatState,
  LOBBY,
  type OtherRoom,
  patchRoom,
} from '../state/chat-state.js'
import { dropRoom, syncMyRooms } from '../state/room-list.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export interface MyRoomsDeps {
  readonly holder: ChatStateHolder
  readonly api: Pick<
    Api,
    'rooms' | 'myRooms' | 'createRoom' | 'openDm' | 'addMember' | 'removeMember' | 'room'
  >
  /** Opens a room (marks it read, loads its history). */
  readonly select: (name: string) => void
  /** The room open before the last reload, if any. */
  readonly savedCurrent: () => string | null
  readonly signOut: () => void
}

/** Public rooms not joined, from the directory's pages fetched so far. */
function othersOf(state: ChatState, rooms: readonly RoomView[]): OtherRoom[] {
  return rooms
    .filter((room) => room.kind === 'public' && !state.rooms[room.name])
    .map((room) => ({ name: room.name, lastSeq: room.lastSeq }))
}

export class MyRooms {
  readonly #deps: MyRoomsDeps
  /** Topics seen in the directory, for rooms whose header has none yet. */
  readonly #topics = new Map<string, string | null>()

  constructor(deps: MyRoomsDeps) {
    this.#deps = deps
  }

  get #state(): ChatState {
    return this.#deps.holder.state
  }

  /**
   * The sidebar from the server: my rooms (every one joined over the link, for live counts), then
   * the directory's first page. `prune` (start, reconnect): rooms no longer mine go.
   */
  async load(prune = true): Promise<void> {
    const first = this.#state.current === null
    if (!(await this.sync(prune))) return
    await this.refreshDirectory()
    if (first && this.#state.current === null) {
      const saved = this.#deps.savedCurrent()
      const open = saved && this.#state.rooms[saved] ? saved : LOBBY
      if (this.#state.rooms[open]) this.#deps.select(open)
      else if (this.#state.roomNames[0]) this.#deps.select(this.#state.roomNames[0])
    }
  }

  /** GET /api/me/rooms into the state; false when it failed. */
  async sync(prune = false): Promise<boolean> {
    let mine: MyRoomView[]
    try {
      mine = await this.#deps.api.myRooms()
    } catch (error: unknown) {
      this.#failed(error, 'Could not load your rooms; they will load when the connection is back.')
      return false
    }
    this.#deps.holder.update((state) => {
      let next = syncMyRooms(state, mine, prune)
      for (const [name, topic] of this.#topics) {
        if (next.rooms[name]?.topic === undefined) next = patchRoom(next, name, { topic })
      }
      return { ...next, otherRooms: next.otherRooms.filter((room) => !next.rooms[room.name]) }
    })
    return true
  }

  /** The directory's first page again (a new room by someone else shows up). */
  async refreshDirectory(): Promise<void> {
    let page: { rooms: RoomView[]; next: string | null }
    try {
      page = await this.#deps.api.rooms()
    } catch (error: unknown) {
      return this.#failed(error, 'Could not load the room list.')
    }
    this.#learnTopics(page.rooms)
    this.#deps.holder.update((state) => {
      let next = state
      for (const [name, topic] of this.#topics) {
        if (next.rooms[name]?.topic === undefined) next = patchRoom(next, name, { topic })
      }
      // Rooms from later pages fetched before stay listed, and so does the cursor past them.
      const after = page.next
      const beyond = after === null ? [] : next.otherRooms.filter((room) => room.name > after)
      const otherRooms = othersOf(next, page.rooms).concat(beyond).sort(byName)
      const moreRooms = beyond.length > 0 ? next.moreRooms : page.next
      return { ...next, otherRooms, moreRooms }
    })
  }

  /** The directory's next page, its public rooms listed as joinable. */
  async loadMore(): Promise<void> {
    const after = this.#state.moreRooms
    if (after === null) return
    let page: { rooms: RoomView[]; next: string | null }
    try {
      page = await this.#deps.api.rooms(after)
    } catch (error: unknown) {
      return this.#failed(error, 'Could not load more rooms.')
    }
    this.#learnTopics(page.rooms)
    this.#deps.holder.update((state) => {
      const known = new Set(state.otherRooms.map((room) => room.name))
      const added = othersOf(state, page.rooms).filter((room) => !known.has(room.name))
      return {
        ...state,
        otherRooms: [...state.otherRooms, ...added].sort(byName),
        moreRooms: page.next,
      }
    })
  }

  /** A header's topic not known yet (a room beyond the directory's first page). */
  async loadTopic(name: string): Promise<void> {
    try {
      const room = await this.#deps.api.room(name)
      this.#deps.holder.update((state) => patchRoom(state, name, { topic: room.topic }))
    } catch {
      // The header shows no topic; a `room` event brings it when it changes.
    }
  }

  /** Creates a room (I own it) and opens it; an existing public room is joined instead. */
  async create(name: string, visibility: 'public' | 'private'): Promise<string | null> {
    try {
      const room = await this.#deps.api.createRoom(name, visibility)
      this.#deps.holder.update((state) =>
        patchRoom(addRoom(state, room.name, room.lastSeq, room.kind), room.name, {
          role: 'owner',
          topic: room.topic,
        }),
      )
      this.#deps.select(room.name)
      return null
    } catch (error: unknown) {
      if (error instanceof ApiError && error.code === 'room_exists') {
        return (await this.join(name.toLowerCase())) ? null : 'That room name is taken.'
      }
      return error instanceof Error ? error.message : 'Could not create the room.'
    }
  }

  /**
   * Joins a public room (POST …/members with my name) and opens it. The room comes from the
   * server's list, so its read mark is my join and nothing before it is unread.
   */
  async join(name: string): Promise<boolean> {
    if (this.#state.rooms[name]) {
      this.#deps.select(name)
      return true
    }
    try {
      await this.#deps.api.addMember(name, this.#state.me.username)
    } catch (error: unknown) {
      this.#failed(error, `Could not join #${name}.`)
      return false
    }
    if (!(await this.sync())) return false
    if (!this.#state.rooms[name]) return false
    this.#deps.select(name)
    return true
  }

  /** Opens the DM with these people (created on first use), by their usernames. */
  async openDm(usernames: readonly string[]): Promise<string | null> {
    try {
      const room = await this.#deps.api.openDm(usernames)
      if (!this.#state.rooms[room.name] && !(await this.sync())) return 'Could not open it.'
      this.#deps.select(room.name)
      return null
    } catch (error: unknown) {
      if (error instanceof ApiError && error.code === 'user_not_found') return 'No such user.'
      return error instanceof Error ? error.message : 'Could not open the conversation.'
    }
  }

  /**
   * Leaves a room (DELETE …/members with my name). Once the server agrees it goes from the list
   * (the link leaves it), a public one is listed to join again, the lobby opens, and the others
   * see "left". Refused (the last owner must hand the room over first) it stays, and says why.
   * The lobby cannot be left. Answers whether the room is gone.
   */
  async leave(name: string): Promise<boolean> {
    const room = this.#state.rooms[name]
    if (name === LOBBY || !room) return false
    const open = this.#state.current === name
    // Remembered first: my own leave's frames may come before the answer, and need no notice.
    this.#setLeft((left) => [...left, name].sort())
    try {
      await this.#deps.api.removeMember(name, this.#state.me.username)
    } catch (error: unknown) {
      this.#setLeft((left) => left.filter((n) => n !== name))
      const lastOwner = error instanceof ApiError && error.code === 'last_owner'
      this.#failed(
        error,
        lastOwner
          ? `You are the last owner of #${name}: make someone else an owner first (Members).`
          : `Could not leave #${name}.`,
      )
      return false
    }
    this.#deps.holder.update((state) => {
      const otherRooms =
        room.kind === 'public' && !state.otherRooms.some((other) => other.name === name)
          ? [...state.otherRooms, { name, lastSeq: room.lastSeq }].sort(byName)
          : state.otherRooms
      return { ...dropRoom(state, name, null), otherRooms }
    })
    const current = this.#state.current
    if (open && current !== null) this.#deps.select(current)
    return true
  }

  #setLeft(change: (left: readonly string[]) => string[]): void {
    this.#deps.holder.update((state) => ({ ...state, left: change(state.left) }))
  }

  #learnTopics(rooms: readonly RoomView[]): void {
    for (const room of rooms) this.#topics.set(room.name, room.topic)
  }

  #failed(error: unknown, notice: string): void {
    if (error instanceof ApiError && error.status === 401) return this.#deps.signOut()
    this.#deps.holder.update((state) => ({ ...state, notice }))
  }
}
