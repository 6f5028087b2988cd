/**
 * The chat service: send, edit, delete, react, subscribe (with since), unsubscribe, typing,
 * presence. A message's path is check → store.append (commit) → bus.publish → ack (then
 * notifications); edits, deletes and reactions take the same path through store.changeMessage.
 * See docs/ARCHITECTURE.md. Every reader of a room's stream, WebSocket or long-poll, comes in
 * through `subscribe` (subscriptions.ts), where the checks on who may read what live. Chat events
 * reach the Bus only from here and chat-writes.ts, and only after the Store has committed.
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
import { RoomPresence } from './room-presence.js'
import type { RoomSubscriber } from './subscriber.js'
import { Subscriptions, type SubscribeOptions } from './subscriptions.js'

export type { SubscribeOptions, SubscriberKind } from './subscriptions.js'

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

export class ChatService {
  readonly #store: Store
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #limits: ChatLimits
  readonly #subscriptions: Subscriptions
  readonly #metrics: ChatMetrics
  readonly #presence: RoomPresence
  readonly #lastTyping = new Map<string, number>()
  readonly #membership: Membership
  readonly #writes: ChatWrites

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
    this.#limits = options.limits
    this.#metrics = options.metrics ?? noMetrics
    this.#membership = options.membership
    this.#subscriptions = new Subscriptions(
      options.store,
      options.bus,
      options.membership,
      this.#presence,
      options.log,
      this.#metrics,
    )
    this.#writes = new ChatWrites(options, this.#metrics, (actor, room, via) =>
      via && this.#subscriptions.follows(via, room) ? undefined : this.#access(actor, room, via),
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
  subscribe(subscriber: RoomSubscriber, room: string, options: SubscribeOptions): Promise<void> {
    return this.#subscriptions.subscribe(subscriber, room, options)
  }

  /**
   * Ends the subscriber's subscription to the room (presence "leave" after the user's last).
   * `chosen`: the user left the room on purpose, announced at once; a disconnect gets the grace.
   */
  unsubscribe(subscriber: RoomSubscriber, room: string, chosen = false): Promise<void> {
    return this.#subscriptions.unsubscribe(subscriber, room, chosen)
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
    if (!this.#subscriptions.follows(subscriber, room)) await this.#notFollowing(subscriber, room)
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
    return this.#subscriptions.audit()
  }

  get roomCount(): number {
    return this.#subscriptions.roomCount
  }

  /** Off the hot path: a socket not following the room, or an HTTP writer (no subscription). */
  async #access(actor: Actor, room: string, via: RoomSubscriber | undefined): Promise<void> {
    if (via) await this.#notFollowing(via, room)
    else await this.#membership.readable(actor, room)
  }

  /** Off the hot path: a room the user may not read is room_not_found, else join it first. */
  async #notFollowing(subscriber: RoomSubscriber, room: string): Promise<never> {
    await this.#membership.readable({ id: subscriber.userId, username: subscriber.user }, room)
    throw new ChatError('not_joined')
  }
}
