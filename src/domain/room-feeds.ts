/** This node's RoomFeeds: one per room with local subscribers, fed by the Bus, watched while in use. */
import { noMetrics, type Bus, type BusEvent, type ChatMetrics, type Store } from './ports.js'
import { RoomFeed } from './room-feed.js'
import type { RoomEvent, RoomSubscriber } from './subscriber.js'

/** Told which subscribers a deleted room's feed had, so their presence and transports can end. */
export type RoomEndedHandler = (room: string, subscribers: RoomSubscriber[]) => void

export class RoomFeeds {
  readonly #store: Store
  readonly #bus: Bus
  readonly #feeds = new Map<string, RoomFeed>()
  readonly #onError: (error: unknown) => void
  readonly #metrics: ChatMetrics
  readonly #onEnded: RoomEndedHandler
  /** Each feed's room seq in the Store at the previous audit. */
  readonly #audited = new Map<RoomFeed, number>()
  #auditing = false

  constructor(
    store: Store,
    bus: Bus,
    onError: (error: unknown) => void,
    onEnded: RoomEndedHandler,
    metrics: ChatMetrics = noMetrics,
  ) {
    this.#store = store
    this.#bus = bus
    this.#onError = onError
    this.#onEnded = onEnded
    this.#metrics = metrics
    bus.onEvent((event) => this.#route(event))
    bus.onReconnect(() => {
      for (const feed of this.#feeds.values()) feed.resync()
    })
  }

  /** The room's feed, created and loaded on first use; the bus watches the room from then on. */
  async open(room: string): Promise<RoomFeed> {
    let feed = this.#feeds.get(room)
    if (!feed) {
      feed = new RoomFeed(room, this.#store, this.#onError, this.#metrics)
      this.#feeds.set(room, feed)
      // Watch before loading lastSeq so nothing published in between is missed.
      const watched = this.#bus.watch(room)
      try {
        await Promise.all([watched, feed.ready])
      } catch (error) {
        this.#feeds.delete(room)
        void this.#bus.unwatch(room).catch(this.#onError)
        throw error
      }
    }
    await feed.ready
    return feed
  }

  get(room: string): RoomFeed | undefined {
    return this.#feeds.get(room)
  }

  /** Drops the feed once its last subscriber has gone. */
  release(feed: RoomFeed): void {
    if (feed.size > 0 || this.#feeds.get(feed.room) !== feed) return
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
    if (event.type === 'message') {
      this.#feeds.get(event.message.room)?.accept(event.message)
      return
    }
    const feed = this.#feeds.get(event.room)
    if (!feed) return
    if (event.type === 'room_deleted') {
      // Dropped, not kept: a room created again under the name starts from seq 1.
      this.#feeds.delete(feed.room)
      this.#audited.delete(feed)
      void this.#bus.unwatch(feed.room).catch(this.#onError)
      this.#onEnded(feed.room, feed.end())
      return
    }
    feed.event(toRoomEvent(event))
  }
}

function toRoomEvent(
  event: Exclude<BusEvent, { type: 'message' } | { type: 'room_deleted' }>,
): RoomEvent {
  if (event.type === 'preview') {
    return { type: 'preview', room: event.room, seq: event.seq, ...event.preview }
  }
  return event
}
