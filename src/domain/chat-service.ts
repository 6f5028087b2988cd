/**
 * The chat service: send, join (with since), leave, typing, presence. A message's path is
 * check → store.append (commit) → bus.publish → ack; see docs/ARCHITECTURE.md.
 * Only this file publishes chat events on the Bus, and only after the Store has committed.
 */
import { randomUUID } from 'node:crypto'
import { countChars } from '../protocol/names.js'
import type { ChatMessage, LinkPreview } from '../protocol/frames.js'
import { ChatError } from './errors.js'
import type {
  Bus,
  ChatMetrics,
  Clock,
  Logger,
  PresenceEntry,
  PresenceRegistry,
  RateLimiter,
  RateLimitRule,
  Store,
} from './ports.js'
import { noMetrics } from './ports.js'
import type { RoomFeed, RoomSubscriber } from './room-feed.js'
import { RoomFeeds } from './room-feeds.js'

export interface ChatLimits {
  readonly maxTextChars: number
  /** undefined: no per-user send limit (RATE_LIMITS=off, benchmarks only). */
  readonly send: RateLimitRule | undefined
  readonly typingIntervalMs: number
  readonly presenceTtlMs: number
}

export interface ChatServiceOptions {
  readonly store: Store
  readonly bus: Bus
  readonly presence: PresenceRegistry
  readonly limiter: RateLimiter
  readonly clock: Clock
  readonly log: Logger
  readonly limits: ChatLimits
  readonly metrics?: ChatMetrics
}

export interface Sender {
  readonly id: string
  readonly username: string
}

export interface JoinResult {
  readonly lastSeq: number
  readonly online: string[]
  /** Resolves once the subscriber has been caught up and is live. */
  readonly live: Promise<void>
}

type StoredListener = (message: ChatMessage) => void

export class ChatService {
  readonly #store: Store
  readonly #bus: Bus
  readonly #presence: PresenceRegistry
  readonly #limiter: RateLimiter
  readonly #clock: Clock
  readonly #log: Logger
  readonly #limits: ChatLimits
  readonly #feeds: RoomFeeds
  readonly #metrics: ChatMetrics
  /**
   * Local presence, refreshed by heartbeat so a dead node's users expire elsewhere: each room's
   * joined subscribers. Keyed by the subscriber itself, so an idle connection costs one set slot
   * here rather than an entry object and a `${room}\0${id}` key string.
   */
  readonly #present = new Map<string, Set<RoomSubscriber>>()
  readonly #lastTyping = new Map<string, number>()
  readonly #storedListeners: StoredListener[] = []

  constructor(options: ChatServiceOptions) {
    this.#store = options.store
    this.#bus = options.bus
    this.#presence = options.presence
    this.#limiter = options.limiter
    this.#clock = options.clock
    this.#log = options.log
    this.#limits = options.limits
    this.#metrics = options.metrics ?? noMetrics
    this.#feeds = new RoomFeeds(
      options.store,
      options.bus,
      (error) => this.#log.warn({ err: error }, 'room feed could not read the store; retrying'),
      this.#metrics,
    )
  }

  /** Stores a message (idempotent on cid) and publishes it; resolves after commit. */
  async send(sender: Sender, room: string, text: string, cid: string): Promise<ChatMessage> {
    const length = countChars(text)
    if (length < 1 || length > this.#limits.maxTextChars || text.trim() === '') {
      throw new ChatError(
        'invalid_text',
        `Message text must be 1-${this.#limits.maxTextChars} characters and not blank.`,
      )
    }
    if (this.#limits.send) {
      const waitMs = await this.#limiter
        .take(`send:${sender.id}`, this.#limits.send)
        .catch((error: unknown) => {
          // A shared limiter that is down must not stop chat: fail open for sends.
          this.#log.warn({ err: error }, 'rate limiter unavailable; allowing the send')
          return 0
        })
      if (waitMs > 0) throw new ChatError('rate_limited', undefined, { retryAfterMs: waitMs })
    }
    const started = performance.now()
    const { message, created } = await this.#store.append({
      id: randomUUID(),
      room,
      userId: sender.id,
      username: sender.username,
      text,
      cid,
      ts: this.#clock.now(),
    })
    this.#metrics.messageStored((performance.now() - started) / 1000, created)
    // A repeat is published again: harmless (feeds drop seen seqs) and it repairs a publish lost
    // when a node died between commit and publish.
    await this.#bus.publish({ type: 'message', message })
    if (created) for (const listener of this.#storedListeners) listener(message)
    return message
  }

  /** Runs after each newly stored message (link previews, bots); must not throw. */
  onStored(listener: StoredListener): void {
    this.#storedListeners.push(listener)
  }

  /**
   * Subscribes to a room. The subscriber first receives every stored message with seq > since
   * (when given), then live ones, with no gap or duplicate at the seam.
   */
  async join(
    subscriber: RoomSubscriber,
    room: string,
    since: number | undefined,
    sendJoined: (lastSeq: number, online: string[]) => void,
  ): Promise<void> {
    const feed = await this.#feeds.open(room)
    if (feed.has(subscriber)) feed.detach(subscriber)
    await this.#enter(room, subscriber)
    const online = await this.#presence.online(room).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'presence unavailable; joined without the online list')
      return [subscriber.user]
    })
    const fromSeq = since ?? feed.lastSeq
    sendJoined(feed.lastSeq, online)
    await feed.attach(subscriber, fromSeq)
  }

  async leave(subscriber: RoomSubscriber, room: string): Promise<void> {
    const feed = this.#feeds.get(room)
    if (!feed?.has(subscriber)) return
    feed.detach(subscriber)
    this.#feeds.release(feed)
    await this.#exit(room, subscriber)
  }

  /** Who is online in the room on any node (sockets and recent long-pollers), sorted, once each. */
  online(room: string): Promise<string[]> {
    return this.#presence.online(room)
  }

  isJoined(subscriber: RoomSubscriber, room: string): boolean {
    return this.#feeds.get(room)?.has(subscriber) ?? false
  }

  /** Opens a room's feed for a one-off reader (long-poll) without subscribing to presence. */
  async openFeed(room: string): Promise<RoomFeed> {
    return this.#feeds.open(room)
  }

  releaseFeed(feed: RoomFeed): void {
    this.#feeds.release(feed)
  }

  async typing(user: string, room: string): Promise<void> {
    const key = `${room}\u0000${user}`
    const now = this.#clock.now()
    const last = this.#lastTyping.get(key)
    if (last !== undefined && now - last < this.#limits.typingIntervalMs) return
    this.#lastTyping.set(key, now)
    await this.#bus.publish({ type: 'typing', room, user })
  }

  /** Marks a long-polling user as online in the room until the presence TTL passes. */
  async touchPoller(user: string, room: string): Promise<void> {
    const entry = { room, user, connectionId: `poll:${user}` }
    if (await this.#presence.add(entry, this.#limits.presenceTtlMs)) {
      await this.#bus.publish({ type: 'presence', room, user, event: 'join' })
    }
  }

  async publishPreview(room: string, seq: number, preview: LinkPreview): Promise<void> {
    await this.#store.addPreview(room, seq, preview)
    await this.#bus.publish({ type: 'preview', room, seq, preview })
  }

  /** Heartbeat: keeps this node's presence alive and announces users whose entries expired. */
  async heartbeat(): Promise<void> {
    const entries: PresenceEntry[] = []
    for (const [room, subscribers] of this.#present) {
      for (const { user, id } of subscribers) entries.push({ room, user, connectionId: id })
    }
    await this.#presence.refresh(entries, this.#limits.presenceTtlMs)
    for (const { room, user } of await this.#presence.sweep()) {
      await this.#bus.publish({ type: 'presence', room, user, event: 'leave' })
    }
    const now = this.#clock.now()
    for (const [key, at] of this.#lastTyping) {
      if (now - at > this.#limits.typingIntervalMs) this.#lastTyping.delete(key)
    }
  }

  get roomCount(): number {
    return this.#feeds.roomCount
  }

  async #enter(room: string, subscriber: RoomSubscriber): Promise<void> {
    const { user } = subscriber
    const entry = { room, user, connectionId: subscriber.id }
    let present = this.#present.get(room)
    if (!present) {
      present = new Set()
      this.#present.set(room, present)
    }
    present.add(subscriber)
    // Presence is best effort: while its engine is down, chat goes on and the heartbeat re-adds.
    const first = await this.#presence
      .add(entry, this.#limits.presenceTtlMs)
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'presence unavailable')
        return false
      })
    if (first) await this.#bus.publish({ type: 'presence', room, user, event: 'join' })
  }

  async #exit(room: string, subscriber: RoomSubscriber): Promise<void> {
    const { user } = subscriber
    const present = this.#present.get(room)
    if (present?.delete(subscriber) && present.size === 0) this.#present.delete(room)
    const last = await this.#presence
      .remove({ room, user, connectionId: subscriber.id })
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'presence unavailable; the entry will expire')
        return false
      })
    if (last) await this.#bus.publish({ type: 'presence', room, user, event: 'leave' })
  }
}
