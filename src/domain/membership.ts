/**
 * Who may read and change which room: the one authorization check every read path calls, and the
 * membership changes (join, invite, remove, leave, roles, topic) with their rules. Every change is
 * stored with its `member`/`room` log event in one transaction, then published like a message.
 */
import { randomUUID } from 'node:crypto'
import type { MembershipFrame, Role, RoomLogEvent } from '../protocol/frames.js'
import type { ServerAdmins } from './admins.js'
import { ChatError } from './errors.js'
import type {
  Bus,
  Clock,
  MemberRecord,
  MyRoomRecord,
  RoomChange,
  RoomRecord,
  Store,
} from './ports.js'

/** The signed-in user acting. */
export interface Actor {
  readonly id: string
  readonly username: string
}

/** Where a user hears that they were added to or removed from a room (the user channel). */
export interface MembershipNotices {
  membership(userId: string, change: Omit<MembershipFrame, 'type'>): Promise<void>
  /** The user's read mark moved: their other tabs and devices clear the same badge. */
  read(userId: string, room: string, seq: number): Promise<void>
}

export interface MembershipOptions {
  readonly store: Store
  readonly bus: Bus
  readonly clock: Clock
  /** Server admins (ADMIN_USERS), any case: they may read and moderate every room. */
  readonly admins: ServerAdmins
  /** Tells a user, on every socket they have, of their joins, invites, removals and read marks. */
  readonly notices?: MembershipNotices
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 }
/** Outranks every room role. */
const SERVER_ADMIN_RANK = 4

export class Membership {
  readonly #store: Store
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #admins: ServerAdmins
  readonly #notices: MembershipNotices | undefined

  constructor(options: MembershipOptions) {
    this.#store = options.store
    this.#bus = options.bus
    this.#clock = options.clock
    this.#admins = options.admins
    this.#notices = options.notices
  }

  isServerAdmin(actor: Actor): boolean {
    return this.#admins.has(actor.username)
  }

  /**
   * The room when `actor` may read it: public rooms are open to everyone signed in, private
   * rooms and DMs to their members (and server admins). Anything else gets room_not_found, exactly
   * what a missing room gets, so a private room's existence does not leak.
   */
  async readable(actor: Actor, name: string): Promise<RoomRecord> {
    const room = await this.#store.findRoom(name)
    if (!room) throw new ChatError('room_not_found')
    if (room.kind === 'public' || this.isServerAdmin(actor)) return room
    if (await this.#store.findMember(name, actor.id)) return room
    throw new ChatError('room_not_found')
  }

  /**
   * A socket joining: readable, and a public room's non-member becomes a member (a join event).
   * Resolves with whether the actor is now known to be a member (a server admin reading a private
   * room need not be), so the room's feed may skip the Store for their next join.
   */
  async enter(actor: Actor, name: string): Promise<boolean> {
    const room = await this.readable(actor, name)
    if (room.kind !== 'public') return !this.isServerAdmin(actor)
    // Rejoining (every reconnect) is a read, not a write transaction.
    if (!(await this.#store.findMember(name, actor.id))) {
      await this.#change(actor, name, memberChange(actor, 'join'))
    }
    return true
  }

  /** A reader (a long-poll): readable; resolves with whether that took membership, as enter. */
  async read(actor: Actor, name: string): Promise<boolean> {
    const room = await this.readable(actor, name)
    return room.kind !== 'public' && !this.isServerAdmin(actor)
  }

  /** Public rooms plus the private rooms and DMs the actor belongs to. */
  visibleRooms(actor: Actor): Promise<RoomRecord[]> {
    return this.#store.listVisibleRooms(actor.id)
  }

  myRooms(actor: Actor): Promise<MyRoomRecord[]> {
    return this.#store.myRooms(actor.id, actor.username)
  }

  /** `name` is canonical. The creator is its owner; `dm-` names belong to direct messages. */
  create(
    actor: Actor,
    name: string,
    kind: 'public' | 'private',
    topic?: string,
  ): Promise<RoomRecord> {
    if (name.startsWith('dm-')) {
      throw new ChatError(
        'invalid_request',
        'Room names starting with "dm-" are for direct messages.',
      )
    }
    return this.#store.createRoom({
      name,
      createdAt: this.#clock.now(),
      createdBy: actor.username,
      kind,
      topic: topic ?? null,
      members: [{ userId: actor.id, role: 'owner' }],
    })
  }

  async members(actor: Actor, name: string): Promise<MemberRecord[]> {
    await this.readable(actor, name)
    return this.#store.listMembers(name)
  }

  /**
   * Adds `username`: yourself to a public room (a join), or someone else (an invite: any member of
   * a public room, owners and admins of a private one). DMs never take new members.
   */
  async add(actor: Actor, name: string, username: string): Promise<void> {
    const room = await this.readable(actor, name)
    if (room.kind === 'dm') throw new ChatError('forbidden', 'A direct message keeps its members.')
    const subject = await this.#user(username)
    if (subject.id === actor.id) {
      if (room.kind === 'private' && !this.isServerAdmin(actor)) {
        // A member asking to join again changes nothing; anyone else needs an invite.
        if (await this.#store.findMember(name, actor.id)) return
        throw new ChatError('forbidden', 'A private room needs an invite from an owner or admin.')
      }
      await this.#change(actor, name, memberChange(actor, 'join'))
      return
    }
    const rank = await this.#rank(actor, name)
    const needed = room.kind === 'private' ? RANK.admin : RANK.member
    if (rank < needed) throw new ChatError('forbidden', 'Only owners and admins invite here.')
    await this.#change(actor, name, memberChange(subject, 'invite'))
  }

  /** Removes `username`, or leaves when it is the actor; only members ranked below the actor. */
  async remove(actor: Actor, name: string, username: string): Promise<void> {
    const room = await this.readable(actor, name)
    if (room.kind === 'dm') throw new ChatError('forbidden', 'A direct message keeps its members.')
    const subject = await this.#user(username)
    const target = await this.#member(name, subject.id)
    if (subject.id !== actor.id && (await this.#rank(actor, name)) <= RANK[target.role]) {
      throw new ChatError('forbidden', 'You can only remove members ranked below you.')
    }
    if (target.role === 'owner') await this.#keepAnOwner(name)
    const op = subject.id === actor.id ? 'leave' : 'remove'
    await this.#change(actor, name, memberChange(subject, op))
  }

  /** Sets a member's role: room owners (for anyone but other owners) and server admins. */
  async setRole(actor: Actor, name: string, username: string, role: Role): Promise<void> {
    const room = await this.readable(actor, name)
    if (room.kind === 'dm') throw new ChatError('forbidden', 'A direct message has no roles.')
    const subject = await this.#user(username)
    const target = await this.#member(name, subject.id)
    const rank = await this.#rank(actor, name)
    const self = subject.id === actor.id
    if (rank < RANK.owner || (rank === RANK.owner && target.role === 'owner' && !self)) {
      throw new ChatError('forbidden', 'Only owners change roles, and only of non-owners.')
    }
    if (target.role === 'owner' && role !== 'owner') await this.#keepAnOwner(name)
    await this.#change(actor, name, memberChange(subject, 'role', role))
  }

  /** Owners and admins (and server admins) set the topic; null clears it. */
  async setTopic(actor: Actor, name: string, topic: string | null): Promise<RoomRecord> {
    await this.readable(actor, name)
    if ((await this.#rank(actor, name)) < RANK.admin) {
      throw new ChatError('forbidden', 'Only owners and admins set the topic.')
    }
    await this.#change(actor, name, { type: 'room', topic })
    return this.readable(actor, name)
  }

  /**
   * Whether the actor moderates the room: its owners and admins, and server admins. They may
   * delete anyone's message there and mention the whole room.
   */
  async moderates(actor: Actor, name: string): Promise<boolean> {
    return (await this.#rank(actor, name)) >= RANK.admin
  }

  /** Moves the actor's read mark forward (never back); a room they may not read is room_not_found. */
  async markRead(actor: Actor, name: string, seq: number): Promise<void> {
    const room = await this.readable(actor, name)
    await this.#store.markRead(name, actor.id, seq)
    // Capped like the stored mark, so another device never takes a mark past the room's end.
    await this.#notices?.read(actor.id, name, Math.min(seq, room.lastSeq))
  }

  /** Stores the change with its event, then publishes the event; nothing when nothing changed. */
  async #change(actor: Actor, room: string, change: RoomChange): Promise<RoomLogEvent | undefined> {
    const event = await this.#store.applyChange({
      id: randomUUID(),
      room,
      userId: actor.id,
      username: actor.username,
      ts: this.#clock.now(),
      change,
    })
    if (event) await this.#bus.publish({ type: 'log', event })
    if (event && change.type === 'member') await this.#tell(change, room)
    return event
  }

  /**
   * The subject's own sockets (their sidebar, on every device) hear of a join, invite, leave or
   * removal; the room's subscribers got the `member` event already. Best effort: the user channel
   * is live only, and GET /api/me/rooms has the stored truth.
   */
  async #tell(change: Extract<RoomChange, { type: 'member' }>, name: string): Promise<void> {
    const op =
      change.op === 'join' || change.op === 'invite'
        ? 'added'
        : change.op === 'leave' || change.op === 'remove'
          ? 'removed'
          : null
    if (!this.#notices || op === null) return
    const room = await this.#store.findRoom(name)
    if (!room) return
    await this.#notices.membership(change.subjectId, { room: name, op, kind: room.kind })
  }

  async #user(username: string): Promise<Actor> {
    const user = await this.#store.findUserByName(username)
    if (!user) throw new ChatError('user_not_found')
    return { id: user.id, username: user.username }
  }

  async #member(room: string, userId: string): Promise<MemberRecord> {
    const member = await this.#store.findMember(room, userId)
    if (!member) throw new ChatError('not_found', 'That user is not a member of this room.')
    return member
  }

  async #rank(actor: Actor, room: string): Promise<number> {
    if (this.isServerAdmin(actor)) return SERVER_ADMIN_RANK
    const member = await this.#store.findMember(room, actor.id)
    return member ? RANK[member.role] : 0
  }

  /** Refuses a change that would leave the room without an owner. */
  async #keepAnOwner(room: string): Promise<void> {
    const owners = (await this.#store.listMembers(room)).filter((m) => m.role === 'owner')
    if (owners.length <= 1) throw new ChatError('last_owner')
  }
}

function memberChange(
  subject: Actor,
  op: 'join' | 'invite' | 'leave' | 'remove' | 'role',
  role?: Role,
): RoomChange {
  return {
    type: 'member',
    subjectId: subject.id,
    subject: subject.username,
    op,
    ...(role === undefined ? {} : { role }),
  }
}
