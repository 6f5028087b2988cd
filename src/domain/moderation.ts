/**
 * Server-wide moderation by the server admins named in ADMIN_USERS: banning an account revokes its
 * sessions, closes its sockets on every node and refuses its logins until it is unbanned.
 */
import type { AuthenticatedUser } from './accounts.js'
import type { ServerAdmins } from './admins.js'
import { ChatError } from './errors.js'
import type { Clock, Store, StoredUser } from './ports.js'
import type { UserChannel } from './user-channel.js'

/** The server admins, by username (any case). */
export class Moderation {
  readonly #store: Store
  readonly #clock: Clock
  readonly #channel: UserChannel
  readonly #admins: ServerAdmins

  constructor(store: Store, clock: Clock, channel: UserChannel, admins: ServerAdmins) {
    this.#store = store
    this.#clock = clock
    this.#channel = channel
    this.#admins = admins
  }

  isAdmin(username: string): boolean {
    return this.#admins.has(username)
  }

  /** Idempotent: banning a banned user changes nothing more. */
  async ban(actor: AuthenticatedUser, username: string): Promise<void> {
    const target = await this.#target(actor, username)
    if (this.#admins.has(target.username)) throw new ChatError('cannot_ban_admin')
    // Banned first, so a login racing the revocation is refused and a session it made is void.
    if (target.bannedAt === null) await this.#store.setBanned(target.id, this.#clock.now())
    await this.#store.deleteUserSessions(target.id)
    await this.#channel.endSessions(target.id, { all: true }, 'banned')
  }

  async unban(actor: AuthenticatedUser, username: string): Promise<void> {
    const target = await this.#target(actor, username)
    if (target.bannedAt !== null) await this.#store.setBanned(target.id, null)
  }

  async #target(actor: AuthenticatedUser, username: string): Promise<StoredUser> {
    if (!this.#admins.has(actor.username)) throw new ChatError('not_admin')
    const target = await this.#store.findUserByName(username)
    if (!target) throw new ChatError('user_not_found')
    return target
  }
}
