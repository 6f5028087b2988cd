/**
 * Rooms: listing (a page at a time), creating (up to a per-user cap), deleting, and reading a
 * room's timeline and log, each behind the one access check (membership.ts). `lobby` always exists.
 */
import type { ChatMessage, RoomLogEvent } from '../protocol/frames.js'
import { noServerAdmins, type ServerAdmins } from './admins.js'
import { ChatError } from './errors.js'
import type { Actor, Membership } from './membership.js'
import type { RoomRecord, Store } from './ports.js'

export const LOBBY = 'lobby'

export interface RoomsOptions {
  /** Rooms one user may have created (existing ones); undefined: no cap. Admins have none. */
  readonly maxRoomsPerUser?: number | undefined
  readonly admins?: ServerAdmins
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
  readonly #membership: Membership
  readonly #maxPerUser: number | undefined
  readonly #admins: ServerAdmins
  readonly #onDeleted: (room: string) => Promise<void>

  constructor(store: Store, membership: Membership, options: RoomsOptions = {}) {
    this.#store = store
    this.#membership = membership
    this.#maxPerUser = options.maxRoomsPerUser
    this.#admins = options.admins ?? noServerAdmins
    this.#onDeleted = options.onDeleted ?? (() => Promise.resolve())
  }

  /**
   * Up to `limit` of the rooms the actor may see (public ones, plus the private rooms and DMs it
   * belongs to) in name order, named after `after` (from the first when undefined).
   */
  async list(actor: Actor, limit: number, after?: string): Promise<RoomListPage> {
    // One more than asked tells whether another page exists without a count query.
    const rows = await this.#store.listVisibleRooms(actor.id, { after, limit: limit + 1 })
    const rooms = rows.slice(0, limit)
    const last = rooms.at(-1)
    return { rooms, next: rows.length > limit && last ? last.name : null }
  }

  /**
   * `name` is already canonical (lower case, valid). The cap is checked before the insert, so two
   * creations racing past it may overshoot by one each; the per-user creation rate bounds that.
   */
  async create(
    actor: Actor,
    name: string,
    kind: 'public' | 'private' = 'public',
    topic?: string,
  ): Promise<RoomRecord> {
    const max = this.#maxPerUser
    if (max !== undefined && !this.#admins.has(actor.username)) {
      if ((await this.#store.countRoomsCreatedBy(actor.username)) >= max) {
        throw new ChatError('too_many_rooms')
      }
    }
    return this.#membership.create(actor, name, kind, topic)
  }

  /** The room, or room_not_found when it is missing or the actor may not read it. */
  get(actor: Actor, name: string): Promise<RoomRecord> {
    return this.#membership.readable(actor, name)
  }

  /** Deletes the room and its log, by its creator or a server admin; never the lobby. */
  async delete(actor: Actor, name: string): Promise<void> {
    if (name === LOBBY) throw new ChatError('room_protected')
    const room = await this.get(actor, name)
    const creator = room.createdBy?.toLowerCase()
    if (creator !== actor.username.toLowerCase() && !this.#admins.has(actor.username)) {
      throw new ChatError('not_room_owner')
    }
    if (!(await this.#store.deleteRoom(name))) throw new ChatError('room_not_found')
    await this.#onDeleted(name)
  }

  /** The timeline: messages only, newest first, before `beforeSeq` (or the latest). */
  async before(
    actor: Actor,
    room: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<ChatMessage[]> {
    await this.get(actor, room)
    return this.#store.messagesBefore(room, beforeSeq, limit)
  }

  /** The log: every event, oldest first, after `afterSeq`. */
  async after(
    actor: Actor,
    room: string,
    afterSeq: number,
    limit: number,
  ): Promise<RoomLogEvent[]> {
    await this.get(actor, room)
    return this.#store.messagesAfter(room, afterSeq, limit)
  }

  /**
   * The stored image address of message `seq`'s preview of `pageUrl`, for the server to fetch on
   * a reader's behalf: only an address a preview in a room the actor may read already names,
   * never one the caller supplies.
   */
  async previewImage(actor: Actor, room: string, seq: number, pageUrl: string): Promise<string> {
    const [event] = await this.after(actor, room, seq - 1, 1)
    const preview =
      event?.type === 'message' && event.seq === seq
        ? event.previews?.find((p) => p.url === pageUrl)
        : undefined
    if (preview?.image == null) throw new ChatError('not_found', 'No such preview image.')
    return preview.image
  }
}
