/**
 * The Store's access check for a subscriber whose room feed does not know it as a member, shared by
 * the concurrent joins of one user to one room (a reconnect storm, many tabs), which would
 * otherwise each read the same rows.
 */
import type { Membership } from './membership.js'
import type { RoomFeed } from './room-feed.js'
import type { RoomSubscriber } from './subscriber.js'
import type { SubscriberKind } from './subscriptions.js'

export class AccessChecks {
  readonly #membership: Membership
  /** Checks in flight, per feed, by subscriber kind and user. */
  readonly #inFlight = new Map<RoomFeed, Map<string, Promise<number>>>()

  constructor(membership: Membership) {
    this.#membership = membership
  }

  /**
   * Runs (or joins) the check: a socket enters the room (joining a public one), a poller reads it;
   * rejects as they do. Resolves with the feed's lastSeq when the check's read began, which the
   * caller passes to attach as its checkedAt: a removal emitted after that read still refuses a
   * subscriber that joined the check late. A member found is remembered by the feed.
   */
  check(feed: RoomFeed, subscriber: RoomSubscriber, kind: SubscriberKind): Promise<number> {
    const key = `${kind}\u0000${subscriber.userId}`
    let checks = this.#inFlight.get(feed)
    if (!checks) {
      checks = new Map<string, Promise<number>>()
      this.#inFlight.set(feed, checks)
    }
    const running = checks.get(key)
    if (running) return running
    const readAt = feed.lastSeq
    const actor = { id: subscriber.userId, username: subscriber.user }
    const inFlight = checks
    const check = (
      kind === 'socket'
        ? this.#membership.enter(actor, feed.room)
        : this.#membership.read(actor, feed.room)
    )
      .then((member) => {
        if (member) feed.rememberMember(subscriber.user, readAt)
        return readAt
      })
      .finally(() => {
        inFlight.delete(key)
        if (inFlight.size === 0 && this.#inFlight.get(feed) === inFlight)
          this.#inFlight.delete(feed)
      })
    checks.set(key, check)
    return check
  }
}
