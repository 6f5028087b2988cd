/**
 * One room's ordered stream on this node: log events (messages, membership changes, settings)
 * leave it strictly in seq order with no gap and no duplicate, whatever order the bus delivers them in. Out-of-order arrivals are held and the
 * gap is filled from the Store; a joining subscriber is caught up from the Store and switched to
 * live at the seam without a gap or duplicate (docs/ARCHITECTURE.md, "How one message travels").
 */
import type { PreviewFrame, RoomLogEvent } from '../protocol/frames.js'
import { ChatError } from './errors.js'
import { noMetrics, type ChatMetrics, type Store } from './ports.js'
import { Broadcast, type RoomEvent, type RoomSubscriber } from './subscriber.js'

interface Cursor {
  seq: number
  live: boolean
}

const PAGE = 500
/** How many recent events a room keeps in memory, encoded, for reconnecting clients. */
const RECENT_MESSAGES = 512

/** Told when the feed ends a subscription itself (its user lost access to the room). */
export type OnEnded = (feed: RoomFeed, subscriber: RoomSubscriber) => void

export class RoomFeed {
  readonly room: string
  readonly #store: Store
  readonly #subscribers = new Map<RoomSubscriber, Cursor>()
  readonly #held = new Map<number, RoomLogEvent>()
  readonly #recent: Array<Broadcast<RoomLogEvent>> = []
  /** Store reads in flight for catch-ups, by `afterSeq:limit`. */
  readonly #reading = new Map<string, Promise<ReadonlyArray<Broadcast<RoomLogEvent>>>>()
  readonly #onError: (error: unknown) => void
  readonly #metrics: ChatMetrics
  readonly #onEnded: OnEnded
  /** user → seq of the last removal or leave this feed emitted for them. */
  readonly #lostAccess = new Map<string, number>()
  /**
   * Users whose membership was read from the Store while this feed was open and who have not left
   * or been removed since: a member may read the room whatever its kind, and needs no join, so
   * their next subscribe skips the Store. Gone with the feed (a deleted room drops its feed).
   */
  readonly #members = new Set<string>()
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
    onEnded: OnEnded = () => undefined,
  ) {
    this.room = room
    this.#store = store
    this.#onError = onError
    this.#metrics = metrics
    this.#onEnded = onEnded
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

  /** Whether the user is known to be a member as of this feed's lastSeq (see #members). */
  knowsMember(user: string): boolean {
    return this.#members.has(user)
  }

  /**
   * The Store said the user is a member, in a read begun when this feed's lastSeq was `readAt`.
   * Not remembered when a removal or leave was emitted since: the read may predate it.
   */
  rememberMember(user: string, readAt: number): void {
    if ((this.#lostAccess.get(user) ?? 0) > readAt) return
    this.#members.add(user)
  }

  /** A log event from the bus, in any order, possibly repeated. */
  accept(message: RoomLogEvent): void {
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
   * then goes live. Resolves once live. `checkedAt` is this feed's lastSeq when the user's access
   * was checked: a removal emitted since then refuses the subscriber with room_not_found.
   */
  async attach(
    subscriber: RoomSubscriber,
    fromSeq: number,
    checkedAt = this.#lastSeq,
  ): Promise<void> {
    if ((this.#lostAccess.get(subscriber.user) ?? 0) > checkedAt)
      throw new ChatError('room_not_found')
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
    if (cached?.payload.type !== 'message' || cached.payload.deleted === true) return
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
      let page: ReadonlyArray<Broadcast<RoomLogEvent>>
      try {
        page = await this.#pageAfter(cursor.seq, want)
      } catch (error) {
        if (!this.#owns(subscriber, cursor)) return
        this.#subscribers.delete(subscriber)
        subscriber.fail(this.room, error)
        return
      }
      if (!this.#owns(subscriber, cursor)) return
      const before = cursor.seq
      for (const broadcast of page) {
        if (broadcast.payload.seq !== cursor.seq + 1) break
        cursor.seq = broadcast.payload.seq
        subscriber.deliver(broadcast)
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

  /**
   * A page of the log from the Store. Clients that resume from the same seq while a read is in
   * flight share it and its encoding; a page that reaches the room's end also fills an empty
   * memory, so the next clients of a reconnect storm after a restart are served from there.
   */
  #pageAfter(seq: number, want: number): Promise<ReadonlyArray<Broadcast<RoomLogEvent>>> {
    const key = `${seq}:${want}`
    let read = this.#reading.get(key)
    if (read === undefined) {
      const lastSeq = this.#lastSeq
      read = this.#store
        .messagesAfter(this.room, seq, want)
        .then((events) => {
          const page = events.map((event) => new Broadcast(event))
          this.#rememberPage(page, lastSeq)
          return page
        })
        .finally(() => this.#reading.delete(key))
      this.#reading.set(key, read)
    }
    return read
  }

  /**
   * Only into an empty memory, only a contiguous page ending at the room's last seq, and only if
   * nothing was emitted while it was read (a delete meanwhile must never leave its text here).
   */
  #rememberPage(page: ReadonlyArray<Broadcast<RoomLogEvent>>, lastSeqAtRead: number): void {
    const first = page[0]?.payload.seq
    if (first === undefined || this.#recent.length > 0 || this.#lastSeq !== lastSeqAtRead) return
    if (page.some((broadcast, i) => broadcast.payload.seq !== first + i)) return
    if (first + page.length - 1 !== lastSeqAtRead) return
    this.#recent.push(...page.slice(-RECENT_MESSAGES))
  }

  /** The remembered broadcasts after `seq`, when memory reaches back that far. */
  #recentAfter(seq: number): Array<Broadcast<RoomLogEvent>> | undefined {
    const first = this.#recent[0]?.payload.seq
    if (first === undefined || seq + 1 < first) return undefined
    return this.#recent.slice(seq + 1 - first)
  }

  #emit(message: RoomLogEvent): void {
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
    if (message.type === 'member' && (message.op === 'remove' || message.op === 'leave')) {
      this.#endAccess(message.subject, message.seq, message.op === 'remove' ? 'removed' : 'left')
    }
    if (message.type === 'delete') this.#forgetText(message.target)
  }

  /**
   * A deleted message's text leaves memory too: the remembered message and its edits are
   * replaced by what the Store now returns for them, so a later catch-up never replays the text.
   */
  #forgetText(target: number): void {
    const first = this.#recent[0]?.payload.seq
    if (first === undefined) return
    for (let i = Math.max(0, target - first); i < this.#recent.length; i++) {
      const event = this.#recent[i]!.payload
      if (event.seq === target && event.type === 'message') {
        const { previews: _previews, ...rest } = event
        this.#recent[i] = new Broadcast({ ...rest, text: '', mentions: [], deleted: true })
      } else if (event.type === 'edit' && event.target === target) {
        this.#recent[i] = new Broadcast({ ...event, text: '', mentions: [] })
      }
    }
  }

  /**
   * The subject lost access: every subscription of theirs here ends now, caught up or not, after
   * the event itself was delivered to those that were live.
   */
  #endAccess(user: string, seq: number, reason: 'removed' | 'left'): void {
    this.#lostAccess.set(user, seq)
    this.#members.delete(user)
    for (const subscriber of [...this.#subscribers.keys()]) {
      if (subscriber.user !== user) continue
      this.#subscribers.delete(subscriber)
      subscriber.ended(this.room, reason)
      this.#onEnded(this, subscriber)
    }
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
        let page: RoomLogEvent[] = []
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
const PLACEHOLDER: RoomLogEvent = { type: 'room', room: '', seq: CATCH_UP, user: '', ts: 0 }
