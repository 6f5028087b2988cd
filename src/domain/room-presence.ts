/**
 * Who is in which room, as the chat service announces it: this node's socket subscribers (kept
 * alive by heartbeat so a dead node's users expire elsewhere) and recent long-pollers, on top of
 * the PresenceRegistry port. Presence is best effort: while its engine is down chat goes on.
 * A disconnect's "leave" waits a short grace, so a reload (leave, then join a second later) is silent.
 */
import type { Bus, Logger, PresenceEntry, PresenceRegistry } from './ports.js'
import type { RoomSubscriber } from './subscriber.js'

export class RoomPresence {
  readonly #registry: PresenceRegistry
  readonly #bus: Bus
  readonly #log: Logger
  readonly #ttlMs: number
  /**
   * Each room's joined socket subscribers. Keyed by the subscriber itself, so an idle connection
   * costs one set slot here rather than an entry object and a `${room}\0${id}` key string.
   */
  readonly #present = new Map<string, Set<RoomSubscriber>>()
  readonly #leaveGraceMs: number
  /** Leaves waiting out their grace, by `${room}\0${user}`. */
  readonly #pendingLeaves = new Map<string, ReturnType<typeof setTimeout>>()
  /** Online-list reads waiting for the end of this turn, by room (see online). */
  readonly #onlineReads = new Map<string, Promise<string[]>>()

  constructor(registry: PresenceRegistry, bus: Bus, log: Logger, ttlMs: number, leaveGraceMs = 0) {
    this.#registry = registry
    this.#bus = bus
    this.#log = log
    this.#ttlMs = ttlMs
    this.#leaveGraceMs = leaveGraceMs
  }

  /** Announces a join, unless it cancels the same user's leave still in its grace (a reload). */
  async #announceJoin(room: string, user: string): Promise<void> {
    const key = `${room}\0${user}`
    const pending = this.#pendingLeaves.get(key)
    if (pending !== undefined) {
      clearTimeout(pending)
      this.#pendingLeaves.delete(key)
      return
    }
    await this.#bus.publish({ type: 'presence', room, user, event: 'join' })
  }

  #announceLeave(room: string, user: string, immediate: boolean): Promise<void> {
    const leave = () => this.#bus.publish({ type: 'presence', room, user, event: 'leave' })
    if (immediate || this.#leaveGraceMs <= 0) return leave()
    const key = `${room}\0${user}`
    if (this.#pendingLeaves.has(key)) return Promise.resolve()
    const timer = setTimeout(() => {
      this.#pendingLeaves.delete(key)
      // Back within the grace on another node: that node announced the join, there is no leave.
      void this.#registry
        .online(room)
        .then((online) => (online.includes(user) ? undefined : leave()))
        .catch((error: unknown) => this.#log.warn({ err: error }, 'presence leave not announced'))
    }, this.#leaveGraceMs)
    // A pending announcement must not keep a stopping process alive.
    timer.unref?.()
    this.#pendingLeaves.set(key, timer)
    return Promise.resolve()
  }

  /** A socket subscriber entered the room: "join" is announced for the user's first one. */
  async enter(room: string, subscriber: RoomSubscriber): Promise<void> {
    const { user } = subscriber
    let present = this.#present.get(room)
    if (!present) {
      present = new Set()
      this.#present.set(room, present)
    }
    present.add(subscriber)
    const first = await this.#registry
      .add({ room, user, connectionId: subscriber.id }, this.#ttlMs)
      .catch((error: unknown) => {
        // The heartbeat re-adds the entry once the engine is back.
        this.#log.warn({ err: error }, 'presence unavailable')
        return false
      })
    if (first) await this.#announceJoin(room, user)
  }

  /**
   * A subscriber that entered left: "leave" is announced after the user's last one, after the
   * grace unless `immediate` (the user chose to leave the room, rather than lost the connection).
   */
  async exit(room: string, subscriber: RoomSubscriber, immediate = false): Promise<void> {
    const { user } = subscriber
    const present = this.#present.get(room)
    // Only subscribers that entered leave: a long-poller's presence expires by TTL instead.
    if (!present?.delete(subscriber)) return
    if (present.size === 0) this.#present.delete(room)
    const last = await this.#registry
      .remove({ room, user, connectionId: subscriber.id })
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'presence unavailable; the entry will expire')
        return false
      })
    if (last) await this.#announceLeave(room, user, immediate)
  }

  /** A long-poller counts as online until the TTL passes without another poll. */
  async touchPoller(room: string, user: string): Promise<void> {
    const first = await this.#registry
      .add({ room, user, connectionId: `poll:${user}` }, this.#ttlMs)
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'presence unavailable; the poller is not listed online')
        return false
      })
    if (first) await this.#announceJoin(room, user)
  }

  /**
   * The room's users online on any node; while the engine is down, `fallback` alone. Asked with a
   * fallback (a join's `joined` frame), the calls of one event-loop turn share one read issued
   * after all of them: each caller's own entry, added before it asked, is in the answer.
   */
  async online(room: string, fallback?: string): Promise<string[]> {
    if (fallback === undefined) return this.#registry.online(room)
    return this.#batchedOnline(room).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'presence unavailable; answering without the online list')
      return [fallback]
    })
  }

  #batchedOnline(room: string): Promise<string[]> {
    let read = this.#onlineReads.get(room)
    if (!read) {
      read = new Promise<string[]>((resolve, reject) => {
        setImmediate(() => {
          this.#onlineReads.delete(room)
          this.#registry.online(room).then(resolve, reject)
        })
      })
      this.#onlineReads.set(room, read)
    }
    return read
  }

  /** Keeps this node's entries alive and announces users whose entries expired. */
  async heartbeat(): Promise<void> {
    const entries: PresenceEntry[] = []
    for (const [room, subscribers] of this.#present) {
      for (const { user, id } of subscribers) entries.push({ room, user, connectionId: id })
    }
    await this.#registry.refresh(entries, this.#ttlMs)
    for (const { room, user } of await this.#registry.sweep()) {
      await this.#bus.publish({ type: 'presence', room, user, event: 'leave' })
    }
  }
}
