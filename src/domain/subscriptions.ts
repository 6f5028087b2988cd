/**
 * Who reads which room on this node: the one subscribe path (WebSocket and long-poll alike), its
 * access checks, presence on entry and exit, and the ends a subscription can come to (unsubscribe,
 * removal from the room, the room deleted).
 */
import { ChatError } from './errors.js'
import type { Membership } from './membership.js'
import type { Bus, ChatMetrics, Logger, Store } from './ports.js'
import { AccessChecks } from './access-checks.js'
import { RoomFeeds } from './room-feeds.js'
import type { RoomFeed } from './room-feed.js'
import type { RoomPresence } from './room-presence.js'
import type { RoomSubscriber } from './subscriber.js'

/**
 * `socket`: a long-lived subscriber (a WebSocket) that is announced in presence and may send and
 * type through its subscription. `poll`: a one-off reader (a parked long-poll), online until the
 * presence TTL passes without another poll.
 */
export type SubscriberKind = 'socket' | 'poll'

export interface SubscribeOptions {
  readonly kind: SubscriberKind
  /** The subscriber has seen everything up to `since`: the rest is replayed first. Default: live from now. */
  readonly since?: number | undefined
  /** Told the room's last seq and who is online before the replay begins (the WebSocket's `joined`). */
  readonly onJoined?: (lastSeq: number, online: string[]) => void
}

interface JoinTicket {
  readonly room: string
  cancelled: boolean
}

export class Subscriptions {
  readonly #feeds: RoomFeeds
  readonly #presence: RoomPresence
  readonly #accessChecks: AccessChecks
  readonly #log: Logger
  /** Subscribes in flight, per subscriber: an unsubscribe meanwhile cancels its attach. */
  readonly #joining = new Map<RoomSubscriber, JoinTicket[]>()

  constructor(
    store: Store,
    bus: Bus,
    membership: Membership,
    presence: RoomPresence,
    log: Logger,
    metrics: ChatMetrics,
  ) {
    this.#presence = presence
    this.#log = log
    this.#accessChecks = new AccessChecks(membership)
    this.#feeds = new RoomFeeds(
      store,
      bus,
      (error) => log.warn({ err: error }, 'room feed could not read the store; retrying'),
      (room, subscribers) => this.#roomEnded(room, subscribers),
      metrics,
      // A subscriber whose user lost access: its feed and presence go like after an unsubscribe.
      // A leave or a removal is chosen, not a lost connection: "left" is announced at once.
      (feed, subscriber) => {
        this.#feeds.release(feed)
        void presence.exit(feed.room, subscriber, true).catch((error: unknown) => {
          log.warn({ err: error }, 'could not clear presence after a removal')
        })
      },
    )
  }

  /** ChatService.subscribe. */
  async subscribe(
    subscriber: RoomSubscriber,
    room: string,
    options: SubscribeOptions,
  ): Promise<void> {
    // A socket that closes while it joins is unsubscribed before it is attached: without this
    // ticket it would be attached afterwards, a subscriber (and an online user) nobody removes.
    const joining: JoinTicket = { room, cancelled: false }
    this.#joining.set(subscriber, [...(this.#joining.get(subscriber) ?? []), joining])
    let feed: RoomFeed
    try {
      feed = await this.#feeds.open(room)
    } catch (error) {
      this.#forgetJoining(subscriber, joining)
      throw error
    }
    try {
      // A removal emitted after this point is seen by attach, one before it by the check.
      const checkedAt = feed.lastSeq
      // A member known to this feed skips the Store: a removal since checkedAt is caught by attach.
      const accessAt = feed.knowsMember(subscriber.user)
        ? checkedAt
        : Math.min(checkedAt, await this.#accessChecks.check(feed, subscriber, options.kind))
      if (options.kind === 'socket') await this.#presence.enter(room, subscriber)
      else await this.#presence.touchPoller(room, subscriber.user)
      const lastSeq = feed.lastSeq
      if (options.onJoined) {
        options.onJoined(lastSeq, await this.#presence.online(room, subscriber.user))
      }
      if (!joining.cancelled) await feed.attach(subscriber, options.since ?? lastSeq, accessAt)
    } finally {
      this.#forgetJoining(subscriber, joining)
      this.#feeds.settle(feed)
      // A subscriber that failed or left during the catch-up leaves no idle feed or presence.
      if (!feed.has(subscriber)) {
        this.#feeds.release(feed)
        await this.#presence.exit(room, subscriber)
      }
    }
  }

  /** ChatService.unsubscribe. */
  async unsubscribe(subscriber: RoomSubscriber, room: string, chosen: boolean): Promise<void> {
    for (const joining of this.#joining.get(subscriber) ?? []) {
      if (joining.room === room) joining.cancelled = true
    }
    const feed = this.#feeds.get(room)
    if (!feed?.has(subscriber)) return
    feed.detach(subscriber)
    this.#feeds.release(feed)
    await this.#presence.exit(room, subscriber, chosen)
  }

  /** Whether the subscriber reads the room's stream here (then its access was checked). */
  follows(subscriber: RoomSubscriber, room: string): boolean {
    return this.#feeds.get(room)?.has(subscriber) ?? false
  }

  /** Finds and fills room messages the bus lost (RoomFeeds.audit). */
  audit(): Promise<void> {
    return this.#feeds.audit()
  }

  get roomCount(): number {
    return this.#feeds.roomCount
  }

  #forgetJoining(subscriber: RoomSubscriber, joining: JoinTicket): void {
    const left = (this.#joining.get(subscriber) ?? []).filter((t) => t !== joining)
    if (left.length > 0) this.#joining.set(subscriber, left)
    else this.#joining.delete(subscriber)
  }

  #roomEnded(room: string, subscribers: RoomSubscriber[]): void {
    const gone = new ChatError('room_not_found', 'The room was deleted.')
    for (const subscriber of subscribers) {
      subscriber.fail(room, gone)
      this.#presence.exit(room, subscriber).catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not record leaving a deleted room')
      })
    }
  }
}
