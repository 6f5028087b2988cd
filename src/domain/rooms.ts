/** Rooms: listing, creating, and reading a room's timeline and log, each behind the access check. */
import type { ChatMessage, RoomLogEvent } from '../protocol/frames.js'
import type { Actor, Membership } from './membership.js'
import type { RoomRecord, Store } from './ports.js'

export const LOBBY = 'lobby'

export class Rooms {
  readonly #store: Store
  readonly #membership: Membership

  constructor(store: Store, membership: Membership) {
    this.#store = store
    this.#membership = membership
  }

  /** Public rooms plus the private rooms and DMs the actor belongs to. */
  list(actor: Actor): Promise<RoomRecord[]> {
    return this.#membership.visibleRooms(actor)
  }

  /** `name` is already canonical (lower case, valid). */
  create(
    actor: Actor,
    name: string,
    kind: 'public' | 'private' = 'public',
    topic?: string,
  ): Promise<RoomRecord> {
    return this.#membership.create(actor, name, kind, topic)
  }

  /** The room, or room_not_found when it is missing or the actor may not read it. */
  get(actor: Actor, name: string): Promise<RoomRecord> {
    return this.#membership.readable(actor, name)
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
}
