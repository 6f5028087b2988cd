/** This node's RoomFeeds: one per room with local subscribers, fed by the Bus, watched while in use. */
import { noMetrics, type Bus, type BusEvent, type ChatMetrics, type Store } from './ports.js'
import { RoomFeed, type OnEnded } from './room-feed.js'
import type { RoomEvent } from './subscriber.js'

export class RoomFeeds {
  readonly #store: Store
  readonly #bus: Bus
  readonly #feeds = new Map<string, RoomFeed>()
  readonly #onError: (error: unknown) => void
  readonly #metrics: ChatMetrics
  readonly #onEnded: OnEnded

  constructor(
    store: Store,
    bus: Bus,
    onError: (error: unknown) => void,
    metrics: ChatMetrics = noMetrics,
    onEnded: OnEnded = () => undefined,
  ) {
    this.#store = store
    this.#bus = bus
    this.#onError = onError
    this.#metrics = metrics
    this.#onEnded = onEnded
    bus.onEvent((event) => this.#route(event))
    bus.onReconnect(() => {
      for (const feed of this.#feeds.values()) feed.resync()
    })
  }

  /** The room's feed, created and loaded on first use; the bus watches the room from then on. */
  async open(room: string): Promise<RoomFeed> {
    let feed = this.#feeds.get(room)
    if (!feed) {
      feed = new RoomFeed(room, this.#store, this.#onError, this.#metrics, this.#onEnded)
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
    void this.#bus.unwatch(feed.room).catch(this.#onError)
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
    feed.event(toRoomEvent(event))
  }
}

function toRoomEvent(event: Exclude<BusEvent, { type: 'log' }>): RoomEvent {
  if (event.type === 'preview') {
    return { type: 'preview', room: event.room, seq: event.seq, ...event.preview }
  }
  return event
}
