/**
 * The chat service: send, edit, delete, react, subscribe (with since), unsubscribe, typing,
 * presence. A message's path is check → store.append (commit) → bus.publish → ack (then
 * notifications); edits, deletes and reactions take the same path through store.changeMessage.
 * See docs/ARCHITECTURE.md. Every reader
 * of a room's stream, WebSocket or long-poll, comes in through `subscribe`, where the checks on
 * who may read what live. Only this file publishes chat events on the Bus, and only after the
 * Store has committed.
 */
import type {
  ChatMessage,
  EditEventFrame,
  LinkPreview,
  MessageChangeEvent,
  ReactionOp,
} from '../protocol/frames.js'
import { ChatError } from './errors.js'
import type { Actor, Membership } from './membership.js'
import { ChatWrites, type StoredListener } from './chat-writes.js'
import type { Notifier } from './notifications.js'
import type {
  Bus,
  ChatMetrics,
  Clock,
  Logger,
  PresenceRegistry,
  RateLimiter,
  RateLimitRule,
  Store,
} from './ports.js'
import { noMetrics } from './ports.js'
import { AccessChecks } from './access-checks.js'
import { RoomFeeds } from './room-feeds.js'
import type { RoomFeed } from './room-feed.js'
import { RoomPresence } from './room-presence.js'
import type { RoomSubscriber } from './subscriber.js'

export interface ChatLimits {
  readonly maxTextChars: number
  /** undefined: no per-user send limit (RATE_LIMITS=off, benchmarks only). */
  readonly send: RateLimitRule | undefined
  readonly typingIntervalMs: number
  readonly presenceTtlMs: number
  /** A disconnect's presence "leave" waits this long and is dropped if the user is back (0: at once). */
  readonly presenceLeaveGraceMs?: number
  /** Files one message may carry (MAX_ATTACHMENTS); default 10. */
  readonly maxAttachments?: number
}

/** What a message carries besides its text. */
export interface SendExtras {
  /** The seq of the message this one answers, in the same room. */
  readonly replyTo?: number | undefined
  /** Ids of files the sender uploaded to the room and has not attached yet. */
  readonly attachments?: readonly string[] | undefined
}

export interface ChatServiceOptions {
  readonly store: Store
  readonly bus: Bus
  readonly presence: PresenceRegistry
  readonly limiter: RateLimiter
  readonly clock: Clock
  readonly log: Logger
  readonly limits: ChatLimits
  readonly membership: Membership
  readonly metrics?: ChatMetrics
  /** Mention and DM notices go here after the commit (the UserChannel); absent: none. */
  readonly notifier?: Notifier
  /**
   * Runs after a delete was stored, before it is answered: the deleted message's files were
   * doomed with it, and this deletes their bytes (Files.collect); absent: nothing to do.
   */
  readonly afterDelete?: () => Promise<void>
}

export interface Sender {
  readonly id: string
  readonly username: string
}

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

export class ChatService {
  readonly #store: Store
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #log: Logger
  readonly #limits: ChatLimits
  readonly #feeds: RoomFeeds
  readonly #metrics: ChatMetrics
  readonly #presence: RoomPresence
  readonly #lastTyping = new Map<string, number>()
  readonly #membership: Membership
  readonly #writes: ChatWrites
  readonly #accessChecks: AccessChecks
  /** Subscribes in flight, by subscriber: an unsubscribe from their room meanwhile cancels them. */
  readonly #joining = new Map<RoomSubscriber, Array<{ room: string; cancelled: boolean }>>()

  constructor(options: ChatServiceOptions) {
    this.#store = options.store
    this.#bus = options.bus
    this.#presence = new RoomPresence(
      options.presence,
      options.bus,
      options.log,
      options.limits.presenceTtlMs,
      options.limits.presenceLeaveGraceMs,
    )
    this.#clock = options.clock
    this.#log = options.log
    this.#limits = options.limits
    this.#metrics = options.metrics ?? noMetrics
    this.#membership = options.membership
    this.#accessChecks = new AccessChecks(options.membership)
    this.#writes = new ChatWrites(options, this.#metrics, (actor, room, via) =>
      via && this.#follows(via, room) ? undefined : this.#access(actor, room, via),
    )
    this.#feeds = new RoomFeeds(
      options.store,
      options.bus,
      (error) => this.#log.warn({ err: error }, 'room feed could not read the store; retrying'),
      (room, subscribers) => this.#roomEnded(room, subscribers),
      this.#metrics,
      // A subscriber whose user lost access: its feed and presence go like after an unsubscribe.
      // A leave or a removal is chosen, not a lost connection: "left" is announced at once.
      (feed, subscriber) => {
        this.#feeds.release(feed)
        void this.#presence.exit(feed.room, subscriber, true).catch((error: unknown) => {
          this.#log.warn({ err: error }, 'could not clear presence after a removal')
        })
      },
    )
  }

  /**
   * Stores a message (idempotent on cid) and publishes it; resolves after commit. `via` is the
   * socket subscription it came through: a socket sends only to rooms it follows, so its sender
   * sees the room's stream (its own message included) in order; following implies access was
   * checked at subscribe and removal ends it. HTTP senders (bots, long-poll clients) hold no
   * subscription and pass none: their access is checked here. `replyTo`: the seq of a message of
   * the room this one answers.
   */
  send(
    sender: Sender,
    room: string,
    text: string,
    cid: string,
    via?: RoomSubscriber,
    extras: SendExtras = {},
  ): Promise<ChatMessage> {
    return this.#writes.send(sender, room, text, cid, via, extras)
  }

  /** Replaces the text of one of the sender's messages; resolves with the stored edit event. */
  edit(
    sender: Sender,
    room: string,
    target: number,
    text: string,
    cid: string,
    via?: RoomSubscriber,
  ): Promise<EditEventFrame> {
    return this.#writes.edit(sender, room, target, text, cid, via)
  }

  /** Deletes a message (own, or any for the room's moderators); idempotent per target. */
  delete(
    sender: Sender,
    room: string,
    target: number,
    cid: string,
    via?: RoomSubscriber,
  ): Promise<MessageChangeEvent> {
    return this.#writes.delete(sender, room, target, cid, via)
  }

  /** Adds or removes the sender's reaction (one emoji or a listed :name:) to a message. */
  react(
    sender: Sender,
    room: string,
    target: number,
    reaction: { readonly emoji: string; readonly op: ReactionOp },
    cid: string,
    via?: RoomSubscriber,
  ): Promise<MessageChangeEvent> {
    return this.#writes.react(sender, room, target, reaction, cid, via)
  }

  /** Runs after each newly stored message (link previews, bots); must not throw. */
  onStored(listener: StoredListener): void {
    this.#writes.onStored(listener)
  }

  /**
   * The one way to read a room's stream. The subscriber first receives every stored event with
   * seq > since (when given), then live ones, with no gap or duplicate at the seam; resolves once
   * it is live. Subscribing again (a second `join` on one socket) replaces the first subscription
   * and resumes from the new `since`: one subscription per subscriber and room, never two streams.
   * An unknown room, or one the user may not read, rejects with room_not_found; a socket joining
   * a public room makes its user a member. The subscription ends by itself (`ended`) when the
   * user is removed from the room or leaves it.
   */
  async subscribe(
    subscriber: RoomSubscriber,
    room: string,
    options: SubscribeOptions,
  ): Promise<void> {
    // A socket that closes while it joins is unsubscribed before it is attached: without this
    // ticket it would be attached afterwards, a subscriber (and an online user) nobody removes.
    const joining = { room, cancelled: false }
    const tickets = this.#joining.get(subscriber) ?? []
    this.#joining.set(subscriber, [...tickets, joining])
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

  /**
   * Ends the subscriber's subscription to the room (presence "leave" after the user's last).
   * `chosen`: the user left the room on purpose, announced at once; a disconnect gets the grace.
   */
  async unsubscribe(subscriber: RoomSubscriber, room: string, chosen = false): Promise<void> {
    for (const joining of this.#joining.get(subscriber) ?? []) {
      if (joining.room === room) joining.cancelled = true
    }
    const feed = this.#feeds.get(room)
    if (!feed?.has(subscriber)) return
    feed.detach(subscriber)
    this.#feeds.release(feed)
    await this.#presence.exit(room, subscriber, chosen)
  }

  #forgetJoining(subscriber: RoomSubscriber, joining: { room: string; cancelled: boolean }): void {
    const left = (this.#joining.get(subscriber) ?? []).filter((t) => t !== joining)
    if (left.length > 0) this.#joining.set(subscriber, left)
    else this.#joining.delete(subscriber)
  }

  /**
   * Who is online in the room on any node (sockets and recent long-pollers), sorted, once each.
   * Rejects with presence_unavailable while the presence engine cannot be reached.
   */
  async online(actor: Actor, room: string): Promise<string[]> {
    await this.#membership.readable(actor, room)
    return this.#presence.online(room).catch((error: unknown) => {
      throw new ChatError('presence_unavailable', undefined, { cause: error })
    })
  }

  /**
   * A room was deleted from the Store (Rooms.delete): every node ends its subscriptions to it.
   * Each subscriber is told through `fail` with room_not_found (docs/protocol.md).
   */
  async roomDeleted(room: string): Promise<void> {
    await this.#bus.publish({ type: 'room_deleted', room })
  }

  /** Moves the reader's read mark forward (never back). */
  markRead(actor: Actor, room: string, seq: number): Promise<void> {
    return this.#membership.markRead(actor, room, seq)
  }

  /** Announces that the subscriber's user is typing in a room it follows (throttled per user). */
  async typing(subscriber: RoomSubscriber, room: string): Promise<void> {
    if (!this.#follows(subscriber, room)) await this.#notFollowing(subscriber, room)
    const key = `${room}\u0000${subscriber.user}`
    const now = this.#clock.now()
    const last = this.#lastTyping.get(key)
    if (last !== undefined && now - last < this.#limits.typingIntervalMs) return
    this.#lastTyping.set(key, now)
    await this.#bus.publish({ type: 'typing', room, user: subscriber.user })
  }

  /** Stores and publishes a link preview, unless its message was deleted meanwhile. */
  async publishPreview(room: string, seq: number, preview: LinkPreview): Promise<void> {
    if (!(await this.#store.addPreview(room, seq, preview))) return
    await this.#bus.publish({ type: 'preview', room, seq, preview })
  }

  /** Heartbeat: keeps this node's presence alive and announces users whose entries expired. */
  async heartbeat(): Promise<void> {
    await this.#presence.heartbeat()
    const now = this.#clock.now()
    for (const [key, at] of this.#lastTyping) {
      if (now - at > this.#limits.typingIntervalMs) this.#lastTyping.delete(key)
    }
  }

  /** Finds and fills room messages the bus lost (see RoomFeeds.audit); run every second or so. */
  audit(): Promise<void> {
    return this.#feeds.audit()
  }

  get roomCount(): number {
    return this.#feeds.roomCount
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

  /** Off the hot path: a socket not following the room, or an HTTP writer (no subscription). */
  async #access(actor: Actor, room: string, via: RoomSubscriber | undefined): Promise<void> {
    if (via) await this.#notFollowing(via, room)
    else await this.#membership.readable(actor, room)
  }

  #follows(subscriber: RoomSubscriber, room: string): boolean {
    return this.#feeds.get(room)?.has(subscriber) ?? false
  }

  /** Off the hot path: a room the user may not read is room_not_found, else join it first. */
  async #notFollowing(subscriber: RoomSubscriber, room: string): Promise<never> {
    await this.#membership.readable({ id: subscriber.userId, username: subscriber.user }, room)
    throw new ChatError('not_joined')
  }
}
