/**
 * One room's ordered stream on this node: messages leave it strictly in seq order with no gap and
 * no duplicate, whatever order the bus delivers them in. Out-of-order arrivals are held and the
 * gap is filled from the Store; a joining subscriber is caught up from the Store and switched to
 * live at the seam without a gap or duplicate (docs/ARCHITECTURE.md, "How one message travels").
 */
import type { ChatMessage, PreviewFrame } from '../protocol/frames.js'
import { noMetrics, type ChatMetrics, type Store } from './ports.js'
import { Broadcast, type RoomEvent, type RoomSubscriber } from './subscriber.js'

interface Cursor {
  seq: number
  live: boolean
}

const PAGE = 500
/** How many recent messages a room keeps in memory, encoded, for reconnecting clients. */
const RECENT_MESSAGES = 512

export class RoomFeed {
  readonly room: string
  readonly #store: Store
  readonly #subscribers = new Map<RoomSubscriber, Cursor>()
  readonly #held = new Map<number, ChatMessage>()
  readonly #recent: Array<Broadcast<ChatMessage>> = []
  readonly #onError: (error: unknown) => void
  readonly #metrics: ChatMetrics
  readonly #sleep: (ms: number) => Promise<void>
  #lastSeq = 0
  #loaded = false
  #filling = false
  readonly ready: Promise<void>

  constructor(
    room: string,
    store: Store,
    onError: (error: unknown) => void,
    metrics: ChatMetrics = noMetrics,
    /** The retry backoff's wait; injectable so unit tests need not wait in real time. */
    sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    this.room = room
    this.#store = store
    this.#onError = onError
    this.#metrics = metrics
    this.#sleep = sleep
    this.ready = store.lastSeq(room).then((seq) => {
      this.#lastSeq = Math.max(seq, this.#lastSeq)
      this.#loaded = true
      this.#drain()
    })
  }

  /** The highest seq this node has delivered in order. */
  get lastSeq(): number {
    return this.#lastSeq
  }

  get size(): number {
    return this.#subscribers.size
  }

  has(subscriber: RoomSubscriber): boolean {
    return this.#subscribers.has(subscriber)
  }

  /** A message from the bus, in any order, possibly repeated. */
  accept(message: ChatMessage): void {
    if (message.seq <= this.#lastSeq) return
    this.#held.set(message.seq, message)
    if (this.#loaded) this.#drain()
  }

  event(event: RoomEvent): void {
    if (event.type === 'preview') this.#rememberPreview(event)
    if (this.#subscribers.size === 0) return
    const broadcast = new Broadcast(event)
    for (const subscriber of this.#subscribers.keys()) subscriber.event(broadcast)
  }

  /**
   * Adds a subscriber that has seen everything up to `fromSeq`: replays the rest from the Store,
   * then goes live. Resolves once live.
   */
  async attach(subscriber: RoomSubscriber, fromSeq: number): Promise<void> {
    const cursor: Cursor = { seq: Math.min(fromSeq, this.#lastSeq), live: false }
    this.#subscribers.set(subscriber, cursor)
    await this.#catchUp(subscriber, cursor)
  }

  /** A remembered message gains its preview, so a later catch-up from memory carries it too. */
  #rememberPreview(event: PreviewFrame): void {
    const first = this.#recent[0]?.payload.seq
    if (first === undefined) return
    const index = event.seq - first
    const cached = this.#recent[index]
    if (!cached) return
    const { url, title, description, image } = event
    const previews = [...(cached.payload.previews ?? []), { url, title, description, image }]
    this.#recent[index] = new Broadcast({ ...cached.payload, previews })
  }

  detach(subscriber: RoomSubscriber): void {
    this.#subscribers.delete(subscriber)
  }

  /** The room was deleted: detaches every subscriber (a running catch-up stops) and returns them. */
  end(): RoomSubscriber[] {
    const ended = [...this.#subscribers.keys()]
    this.#subscribers.clear()
    this.#held.clear()
    return ended
  }

  /** After a bus outage: anything stored meanwhile is read from the Store. */
  resync(): void {
    this.#held.set(CATCH_UP, PLACEHOLDER)
    if (this.#loaded) this.#drain()
  }

  /** false once the subscriber detached or attached again (a newer catch-up owns it then). */
  #owns(subscriber: RoomSubscriber, cursor: Cursor): boolean {
    return this.#subscribers.get(subscriber) === cursor
  }

  async #catchUp(subscriber: RoomSubscriber, cursor: Cursor): Promise<void> {
    while (cursor.seq < this.#lastSeq) {
      const cached = this.#recentAfter(cursor.seq)
      if (cached) {
        // Recent messages come from memory, already encoded: a reconnect storm after a blip
        // costs neither a Store read nor a serialisation per client.
        for (const broadcast of cached) {
          cursor.seq = broadcast.payload.seq
          subscriber.deliver(broadcast)
          if (subscriber.congested) {
            await subscriber.drained()
            if (!this.#owns(subscriber, cursor)) return
            break
          }
        }
        continue
      }
      const want = Math.min(PAGE, this.#lastSeq - cursor.seq)
      let page: ChatMessage[]
      try {
        page = await this.#store.messagesAfter(this.room, cursor.seq, want)
      } catch (error) {
        if (!this.#owns(subscriber, cursor)) return
        this.#subscribers.delete(subscriber)
        subscriber.fail(this.room, error)
        return
      }
      if (!this.#owns(subscriber, cursor)) return
      const before = cursor.seq
      for (const message of page) {
        if (message.seq !== cursor.seq + 1) break
        cursor.seq = message.seq
        subscriber.deliver(new Broadcast(message))
        // A replay can be far larger than a socket buffer: pace it by the reader, never drop it.
        if (subscriber.congested) {
          await subscriber.drained()
          if (!this.#owns(subscriber, cursor)) return
        }
      }
      if (cursor.seq === before) {
        // The Store broke its no-holes contract; never hide a gap: make the client resume.
        this.#subscribers.delete(subscriber)
        subscriber.fail(this.room, new Error(`history gap after seq ${before} in ${this.room}`))
        return
      }
    }
    // No await between the loop's last check and here: nothing can be emitted in between.
    cursor.live = true
  }

  /** The remembered broadcasts after `seq`, when memory reaches back that far. */
  #recentAfter(seq: number): Array<Broadcast<ChatMessage>> | undefined {
    const first = this.#recent[0]?.payload.seq
    if (first === undefined || seq + 1 < first) return undefined
    return this.#recent.slice(seq + 1 - first)
  }

  #emit(message: ChatMessage): void {
    this.#lastSeq = message.seq
    const broadcast = new Broadcast(message)
    this.#recent.push(broadcast)
    if (this.#recent.length > RECENT_MESSAGES) this.#recent.shift()
    // Timed once per broadcast, not per recipient, to keep the fan-out loop cheap.
    const started = performance.now()
    let recipients = 0
    for (const [subscriber, cursor] of this.#subscribers) {
      if (!cursor.live || message.seq !== cursor.seq + 1) continue
      cursor.seq = message.seq
      subscriber.deliver(broadcast)
      recipients += 1
    }
    if (recipients > 0) this.#metrics.broadcast(recipients, (performance.now() - started) / 1000)
  }

  #drain(): void {
    this.#emitContiguous()
    if (this.#held.size > 0 && !this.#filling) void this.#fill()
  }

  #emitContiguous(): void {
    for (;;) {
      const next = this.#held.get(this.#lastSeq + 1)
      if (!next) break
      this.#held.delete(next.seq)
      this.#emit(next)
    }
    for (const seq of this.#held.keys()) if (seq <= this.#lastSeq) this.#held.delete(seq)
  }

  /** Reads the missing range from the Store; retries with backoff while the Store is down. */
  async #fill(): Promise<void> {
    this.#filling = true
    let delayMs = 50
    try {
      while (this.#held.size > 0) {
        const readAll = this.#held.has(CATCH_UP)
        const target = readAll ? this.#lastSeq + PAGE + 1 : Math.max(...this.#held.keys())
        const want = Math.min(PAGE, target - this.#lastSeq - 1)
        let page: ChatMessage[] = []
        try {
          if (want > 0) page = await this.#store.messagesAfter(this.room, this.#lastSeq, want)
        } catch (error) {
          this.#onError(error)
          await this.#sleep(delayMs)
          delayMs = Math.min(delayMs * 2, 5_000)
          continue
        }
        for (const message of page) {
          if (message.seq > this.#lastSeq) this.#held.set(message.seq, message)
        }
        const before = this.#lastSeq
        this.#emitContiguous()
        if (readAll && page.length < want) this.#held.delete(CATCH_UP)
        if (this.#lastSeq === before && this.#held.size > 0) {
          // A seq arrived whose predecessor is not readable here yet: wait rather than spin.
          await this.#sleep(delayMs)
          delayMs = Math.min(delayMs * 2, 5_000)
        }
      }
    } finally {
      this.#filling = false
    }
  }
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** A held key that makes #fill read everything the Store has beyond lastSeq (after a bus outage). */
const CATCH_UP = Number.MAX_SAFE_INTEGER
const PLACEHOLDER: ChatMessage = {
  room: '',
  seq: CATCH_UP,
  id: '',
  user: '',
  text: '',
  ts: 0,
  cid: '',
}
