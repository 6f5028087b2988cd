/**
 * Rooms: public rooms anyone signed in may list (a page at a time), create (up to a per-user cap),
 * read and join; their creator or a server admin may delete them. `lobby` always exists.
 */
import type { ChatMessage } from '../protocol/frames.js'
import { noServerAdmins, type IsServerAdmin } from './admins.js'
import { ChatError } from './errors.js'
import type { Clock, RoomRecord, Store } from './ports.js'

export const LOBBY = 'lobby'

export interface RoomsOptions {
  /** Rooms one user may have created (existing ones); undefined: no cap. Admins have none. */
  readonly maxRoomsPerUser?: number | undefined
  readonly isServerAdmin?: IsServerAdmin
  /** Runs after a room left the Store, to end its subscriptions (ChatService.roomDeleted). */
  readonly onDeleted?: (room: string) => Promise<void>
}

export interface RoomListPage {
  readonly rooms: RoomRecord[]
  /** The cursor for the next page (`after`), or null on the last page. */
  readonly next: string | null
}

export class Rooms {
  readonly #store: Store
  readonly #clock: Clock
  readonly #maxPerUser: number | undefined
  readonly #isAdmin: IsServerAdmin
  readonly #onDeleted: (room: string) => Promise<void>

  constructor(store: Store, clock: Clock, options: RoomsOptions = {}) {
    this.#store = store
    this.#clock = clock
    this.#maxPerUser = options.maxRoomsPerUser
    this.#isAdmin = options.isServerAdmin ?? noServerAdmins
    this.#onDeleted = options.onDeleted ?? (() => Promise.resolve())
  }

  /** Up to `limit` rooms in name order, named after `after` (from the first when undefined). */
  async list(limit: number, after?: string): Promise<RoomListPage> {
    // One more than asked tells whether another page exists without a count query.
    const rows = await this.#store.listRooms({ after, limit: limit + 1 })
    const rooms = rows.slice(0, limit)
    const last = rooms.at(-1)
    return { rooms, next: rows.length > limit && last ? last.name : null }
  }

  /**
   * `name` is already canonical (lower case, valid). The cap is checked before the insert, so two
   * creations racing past it may overshoot by one each; the per-user creation rate bounds that.
   */
  async create(name: string, createdBy: string): Promise<RoomRecord> {
    const max = this.#maxPerUser
    if (max !== undefined && !this.#isAdmin(createdBy)) {
      if ((await this.#store.countRoomsCreatedBy(createdBy)) >= max) {
        throw new ChatError('too_many_rooms')
      }
    }
    return this.#store.createRoom({ name, createdAt: this.#clock.now(), createdBy })
  }

  async get(name: string): Promise<RoomRecord> {
    const room = await this.#store.findRoom(name)
    if (!room) throw new ChatError('room_not_found')
    return room
  }

  /** Deletes the room and its messages, by its creator or a server admin; never the lobby. */
  async delete(name: string, by: string): Promise<void> {
    if (name === LOBBY) throw new ChatError('room_protected')
    const room = await this.get(name)
    const creator = room.createdBy?.toLowerCase()
    if (creator !== by.toLowerCase() && !this.#isAdmin(by)) throw new ChatError('not_room_owner')
    if (!(await this.#store.deleteRoom(name))) throw new ChatError('room_not_found')
    await this.#onDeleted(name)
  }

  /** Newest first, before `beforeSeq` (or the latest). */
  async before(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]> {
    await this.get(room)
    return this.#store.messagesBefore(room, beforeSeq, limit)
  }

  /**
   * The stored image address of message `seq`'s preview of `pageUrl`, for the server to fetch on
   * a reader's behalf: only an address a preview in this room already names, never one the
   * caller supplies. Readable rooms only (every room today; membership checks belong here).
   */
  async previewImage(room: string, seq: number, pageUrl: string): Promise<string> {
    const [message] = await this.after(room, seq - 1, 1)
    const preview =
      message?.seq === seq ? message.previews?.find((p) => p.url === pageUrl) : undefined
    if (preview?.image == null) throw new ChatError('not_found', 'No such preview image.')
    return preview.image
  }

  /** Oldest first, after `afterSeq`. */
  async after(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    await this.get(room)
    return this.#store.messagesAfter(room, afterSeq, limit)
  }
}
