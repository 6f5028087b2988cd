/** Rooms: public rooms anyone signed in may list, create, read and join; `lobby` always exists. */
import type { ChatMessage } from '../protocol/frames.js'
import { ChatError } from './errors.js'
import type { Clock, RoomRecord, Store } from './ports.js'

export const LOBBY = 'lobby'

export class Rooms {
  readonly #store: Store
  readonly #clock: Clock

  constructor(store: Store, clock: Clock) {
    this.#store = store
    this.#clock = clock
  }

  list(): Promise<RoomRecord[]> {
    return this.#store.listRooms()
  }

  /** `name` is already canonical (lower case, valid). */
  create(name: string, createdBy: string): Promise<RoomRecord> {
    return this.#store.createRoom({ name, createdAt: this.#clock.now(), createdBy })
  }

  async get(name: string): Promise<RoomRecord> {
    const room = await this.#store.findRoom(name)
    if (!room) throw new ChatError('room_not_found')
    return room
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
