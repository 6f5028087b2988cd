/** This node's RoomFeeds: one per room with local subscribers, fed by the Bus, watched while in use. */
import { noMetrics, type Bus, type BusEvent, type ChatMetrics, type Store } from './ports.js'
import { RoomFeed, type OnEnded } from './room-feed.js'
import type { RoomEvent, RoomSubscriber } from './subscriber.js'

/** Told which subscribers a deleted room's feed had, so their presence and transports can end. */
export type RoomDeletedHandler = (room: string, subscribers: RoomSubscriber[]) => void

export class RoomFeeds {
  readonly #store: Store
  readonly #bus: Bus
  readonly #feeds = new Map<string, RoomFeed>()
  readonly #onError: (error: unknown) => void
  readonly #metrics: ChatMetrics
  readonly #onDeleted: RoomDeletedHandler
  readonly #onEnded: OnEnded
  /** Each feed's room seq in the Store at the previous audit. */
  readonly #audited = new Map<RoomFeed, number>()
  /**
   * Subscribes between `open` and `settle`, by feed. They hold it though not attached yet: a feed
   * dropped under them (another join failing, the last subscriber leaving) would take them in and
   * never hear the bus again.
   */
  readonly #opening = new Map<RoomFeed, number>()
  /** Each feed's start (the bus watching its room, its lastSeq loaded), awaited by every opener. */
  readonly #started = new WeakMap<RoomFeed, Promise<unknown>>()
  #auditing = false

  constructor(
    store: Store,
    bus: Bus,
    onError: (error: unknown) => void,
    onDeleted: RoomDeletedHandler,
    metrics: ChatMetrics = noMetrics,
    onEnded: OnEnded = () => undefined,
  ) {
    this.#store = store
    this.#bus = bus
    this.#onError = onError
    this.#onDeleted = onDeleted
    this.#metrics = metrics
    this.#onEnded = onEnded
    bus.onEvent((event) => this.#route(event))
    bus.onReconnect(() => {
      for (const feed of this.#feeds.values()) feed.resync()
    })
  }

  /**
   * The room's feed, created and loaded on first use; the bus watches the room from then on. The
   * caller holds it until it calls `settle` (attached or not), so it is not dropped meanwhile.
   */
  async open(room: string): Promise<RoomFeed> {
    let feed = this.#feeds.get(room)
    const created = !feed
    if (!feed) {
      feed = new RoomFeed(room, this.#store, this.#onError, this.#metrics, undefined, this.#onEnded)
      this.#feeds.set(room, feed)
      // Watch before loading lastSeq so nothing published in between is missed.
      this.#started.set(feed, Promise.all([this.#bus.watch(room), feed.ready]))
    }
    this.#opening.set(feed, (this.#opening.get(feed) ?? 0) + 1)
    try {
      await (this.#started.get(feed) ?? feed.ready)
    } catch (error) {
      this.settle(feed)
      if (created && this.#feeds.get(room) === feed) {
        this.#feeds.delete(room)
        void this.#bus.unwatch(room).catch(this.#onError)
      }
      throw error
    }
    return feed
  }

  /** The subscribe that opened the feed is over (attached, failed or gone): see `open`. */
  settle(feed: RoomFeed): void {
    const opening = (this.#opening.get(feed) ?? 0) - 1
    if (opening > 0) this.#opening.set(feed, opening)
    else this.#opening.delete(feed)
  }

  get(room: string): RoomFeed | undefined {
    return this.#feeds.get(room)
  }

  /** Drops the feed once its last subscriber has gone. */
  release(feed: RoomFeed): void {
    if (feed.size > 0 || this.#opening.has(feed) || this.#feeds.get(feed.room) !== feed) return
    this.#feeds.delete(feed.room)
    this.#audited.delete(feed)
    void this.#bus.unwatch(feed.room).catch(this.#onError)
  }

  /**
   * Repairs bus messages that never arrived. A bus can drop a message without dropping its
   * connection (a network blackhole, a paused Redis): nothing then reveals the gap until the
   * room's next message. Each audit reads every open room's last seq from the Store in one call;
   * a feed still behind the seq the previous audit saw has missed something, and reads it from
   * the Store. Comparing with the previous audit, not this one, leaves messages that are merely
   * in flight between commit and publish alone.
   */
  async audit(): Promise<void> {
    // One at a time: while the Store is slow or down, audits do not pile up behind each other.
    if (this.#feeds.size === 0 || this.#auditing) return
    const feeds = [...this.#feeds.values()]
    this.#auditing = true
    let stored: Map<string, number>
    try {
      stored = await this.#store.lastSeqs(feeds.map((feed) => feed.room))
    } finally {
      this.#auditing = false
    }
    for (const feed of feeds) {
      const before = this.#audited.get(feed)
      if (before !== undefined && feed.lastSeq < before) feed.resync()
      const seq = stored.get(feed.room)
      if (seq === undefined || this.#feeds.get(feed.room) !== feed) this.#audited.delete(feed)
      else this.#audited.set(feed, seq)
    }
  }

  get roomCount(): number {
    return this.#feeds.size
  }

  #route(event: BusEvent): void {
    if (event.type === 'log') {
      this.#feeds.get(event.event.room)?.accept(event.event)
      return
    }
    const feed = this.#feeds.get(event.room)
    if (!feed) return
    if (event.type === 'room_deleted') {
      // Dropped, not kept: a room created again under the name starts from seq 1.
      this.#feeds.delete(feed.room)
      this.#audited.delete(feed)
      void this.#bus.unwatch(feed.room).catch(this.#onError)
      this.#onDeleted(feed.room, feed.end())
      return
    }
    feed.event(toRoomEvent(event))
  }
}

function toRoomEvent(
  event: Exclude<BusEvent, { type: 'log' } | { type: 'room_deleted' }>,
): RoomEvent {
  if (event.type === 'preview') {
    return { type: 'preview', room: event.room, seq: event.seq, ...event.preview }
  }
  return event
}
