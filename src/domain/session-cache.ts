/**
 * This node's memory of sessions it has read (token hash → session), so a reconnect or a second
 * tab does not read the Store again. Sound only while the node hears the user's channel: an entry
 * is kept only for a user whose channel was heard from before its Store read began until now, and
 * dropped when a `sessions-ended` about the user is heard, when the node stops hearing the user,
 * and when the bus reconnects (events may have been lost). So a revoked session stays usable here
 * only as long as an open socket of it would (until its event arrives), and never past `ttlMs`.
 */
import type { Bus, Clock, FoundSession, Store } from './ports.js'
import { sessionProblem } from './socket-sessions.js'
import type { UserChannel } from './user-channel.js'

/** Longest an entry is trusted without reading the Store again, events or not. */
export const SESSION_CACHE_TTL_MS = 30_000

interface Entry {
  readonly session: FoundSession
  readonly at: number
}

export class SessionCache {
  readonly #store: Store
  readonly #clock: Clock
  readonly #channel: UserChannel
  readonly #bus: Bus
  readonly #ttlMs: number
  readonly #entries = new Map<string, Entry>()
  readonly #byUser = new Map<string, Set<string>>()
  /** Reads in flight by token hash: the sockets of one token connecting together share one. */
  readonly #reading = new Map<string, Promise<FoundSession | undefined>>()
  /** Moves on at every drop, so a read that overlapped one is not remembered. */
  #generation = 0

  constructor(
    store: Store,
    clock: Clock,
    channel: UserChannel,
    bus: Bus,
    ttlMs = SESSION_CACHE_TTL_MS,
  ) {
    this.#store = store
    this.#clock = clock
    this.#channel = channel
    this.#bus = bus
    this.#ttlMs = ttlMs
    channel.onForget((userId) => this.#forgetUser(userId))
    bus.onReconnect(() => this.#clear())
  }

  /** The session, from memory when it is known good; a session with a problem is always re-read. */
  find(tokenHash: string): Promise<FoundSession | undefined> {
    const hit = this.#entries.get(tokenHash)
    const now = this.#clock.now()
    if (hit && now - hit.at < this.#ttlMs && !sessionProblem(hit.session, now)) {
      return Promise.resolve(hit.session)
    }
    let reading = this.#reading.get(tokenHash)
    if (!reading) {
      reading = this.#read(tokenHash).finally(() => this.#reading.delete(tokenHash))
      this.#reading.set(tokenHash, reading)
    }
    return reading
  }

  /** The session was renewed (sliding expiry): remembered with its new expiry. */
  renewed(tokenHash: string, expiresAt: number): void {
    const hit = this.#entries.get(tokenHash)
    if (hit) this.#entries.set(tokenHash, { session: { ...hit.session, expiresAt }, at: hit.at })
  }

  async #read(tokenHash: string): Promise<FoundSession | undefined> {
    const generation = this.#generation
    const epoch = this.#channel.epoch
    const session = await this.#store.findSession(tokenHash)
    if (
      session &&
      generation === this.#generation &&
      this.#bus.healthy() &&
      this.#channel.heardSince(session.userId, epoch) &&
      !sessionProblem(session, this.#clock.now())
    ) {
      this.#entries.set(tokenHash, { session, at: this.#clock.now() })
      let hashes = this.#byUser.get(session.userId)
      if (!hashes) this.#byUser.set(session.userId, (hashes = new Set()))
      hashes.add(tokenHash)
    }
    return session
  }

  #forgetUser(userId: string): void {
    this.#generation += 1
    const hashes = this.#byUser.get(userId)
    if (!hashes) return
    this.#byUser.delete(userId)
    for (const hash of hashes) this.#entries.delete(hash)
  }

  #clear(): void {
    this.#generation += 1
    this.#entries.clear()
    this.#byUser.clear()
  }
}
