/**
 * Direct messages: one room per set of 2-9 people, found again by the same set. The room's name is
 * derived from the sorted member ids, so opening the same set twice (even at once, on two nodes)
 * lands on one room without a lookup table.
 */
import { createHash } from 'node:crypto'
import { ChatError, isChatError } from './errors.js'
import type { Actor, MembershipNotices } from './membership.js'
import type { Clock, RoomRecord, Store } from './ports.js'

/** Everyone in a DM, the opener included. */
export const DM_MIN_MEMBERS = 2
export const DM_MAX_MEMBERS = 9

/** Only DMs have names starting "dm-" (Membership.create refuses them for other rooms). */
export function isDmName(room: string): boolean {
  return room.startsWith('dm-')
}

export function dmRoomName(userIds: readonly string[]): string {
  const key = [...new Set(userIds)].sort().join('\n')
  return `dm-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`
}

export class DirectMessages {
  readonly #store: Store
  readonly #clock: Clock
  readonly #notices: MembershipNotices | undefined

  /** `notices`: every member of a new DM hears of it (their sidebars list it at once). */
  constructor(store: Store, clock: Clock, notices?: MembershipNotices) {
    this.#store = store
    this.#clock = clock
    this.#notices = notices
  }

  /** The DM of the actor and `usernames`; `created` is false when it existed already. */
  async open(
    actor: Actor,
    usernames: readonly string[],
  ): Promise<{ room: RoomRecord; created: boolean }> {
    const others = [...new Set(usernames.map((u) => u.toLowerCase()))].filter(
      (u) => u !== actor.username.toLowerCase(),
    )
    const size = others.length + 1
    if (size < DM_MIN_MEMBERS || size > DM_MAX_MEMBERS) {
      throw new ChatError(
        'invalid_request',
        `A direct message has ${DM_MIN_MEMBERS}-${DM_MAX_MEMBERS} people, you included; this one would have ${size}.`,
      )
    }
    const ids = [actor.id]
    for (const username of others) {
      const user = await this.#store.findUserByName(username)
      if (!user) throw new ChatError('user_not_found', `No user named ${username}.`)
      ids.push(user.id)
    }
    const name = dmRoomName(ids)
    const existing = await this.#store.findRoom(name)
    if (existing) return { room: existing, created: false }
    try {
      const room = await this.#store.createRoom({
        name,
        createdAt: this.#clock.now(),
        createdBy: actor.username,
        kind: 'dm',
        topic: null,
        members: ids.map((userId) => ({ userId, role: 'member' as const })),
      })
      const notices = this.#notices
      if (notices) {
        await Promise.all(
          ids.map((userId) => notices.membership(userId, { room: name, op: 'added', kind: 'dm' })),
        )
      }
      return { room, created: true }
    } catch (error) {
      // Opened by someone else of the set at the same moment: theirs is ours.
      if (!isChatError(error) || error.code !== 'room_exists') throw error
      const room = await this.#store.findRoom(name)
      if (!room) throw error
      return { room, created: false }
    }
  }
}
