/**
 * Open sockets and their sessions: a socket lives only as long as the session it was opened with.
 * Revocations reach sockets as user-channel events (UserChannel.endSessions); this class covers
 * what an event cannot: expiry (checked on the heartbeat), an event published while this node
 * was cut off from the bus (every socket re-checked on reconnect), and one published while the
 * socket was still connecting (each new socket re-checked once it hears its channel).
 */
import type { Bus, Clock, FoundSession, Logger, SessionEndReason, Store } from './ports.js'
import type { SessionCache } from './session-cache.js'
import type { UserChannel, UserSubscriber } from './user-channel.js'

/** Why a session read back is no longer good, or undefined while it is. */
export function sessionProblem(
  session: FoundSession | undefined,
  now: number,
): SessionEndReason | undefined {
  if (!session) return 'logout'
  if (session.bannedAt !== null) return 'banned'
  if (session.expiresAt <= now) return 'expired'
  return undefined
}

export class SocketSessions {
  readonly #store: Store
  readonly #clock: Clock
  readonly #channel: UserChannel
  readonly #log: Logger
  readonly #sessions: SessionCache | undefined
  #sweeping = false

  constructor(
    store: Store,
    clock: Clock,
    channel: UserChannel,
    bus: Bus,
    log: Logger,
    sessions?: SessionCache,
  ) {
    this.#store = store
    this.#sessions = sessions
    this.#clock = clock
    this.#channel = channel
    this.#log = log
    bus.onReconnect(() => void this.#checkAll(() => true))
  }

  /**
   * Registers a new socket on its user's channel, then reads its session once more: a logout
   * published between the upgrade's check and the channel being heard would otherwise be missed.
   * The session cache answers when it can: it holds a session only while no such event was heard.
   */
  async attach(userId: string, subscriber: UserSubscriber): Promise<void> {
    await this.#channel.subscribe(userId, subscriber)
    await this.#check([subscriber], this.#sessions)
  }

  detach(userId: string, subscriber: UserSubscriber): void {
    this.#channel.unsubscribe(userId, subscriber)
  }

  /**
   * Heartbeat: sockets whose session's known expiry has passed read it again (HTTP use may have
   * renewed it) and close if it is over. Cheap: only those sockets touch the store.
   */
  async sweep(): Promise<void> {
    // A slow store must not pile sweeps up behind each other.
    if (this.#sweeping) return
    this.#sweeping = true
    const now = this.#clock.now()
    try {
      await this.#checkAll((subscriber) => subscriber.sessionExpiresAt <= now)
    } finally {
      this.#sweeping = false
    }
  }

  async #checkAll(due: (subscriber: UserSubscriber) => boolean): Promise<void> {
    // Sockets of one session share one lookup.
    const bySession = new Map<string, UserSubscriber[]>()
    for (const subscriber of this.#channel.subscribers()) {
      if (!due(subscriber)) continue
      const list = bySession.get(subscriber.sessionId)
      if (list) list.push(subscriber)
      else bySession.set(subscriber.sessionId, [subscriber])
    }
    for (const subscribers of bySession.values()) await this.#check(subscribers)
  }

  /** Expiry and reconnect checks pass no cache: renewals elsewhere and lost events need the Store. */
  async #check(subscribers: UserSubscriber[], cache?: SessionCache): Promise<void> {
    const first = subscribers[0]
    if (!first) return
    let session: FoundSession | undefined
    try {
      session = await (cache
        ? cache.find(first.sessionId)
        : this.#store.findSession(first.sessionId))
    } catch (error) {
      // The store is down: keep the sockets; the next sweep or reconnect asks again.
      this.#log.warn({ err: error }, 'could not re-check a socket session')
      return
    }
    const problem = sessionProblem(session, this.#clock.now())
    for (const subscriber of subscribers) {
      if (problem) subscriber.endSession(problem)
      else if (session) subscriber.sessionExpiresAt = session.expiresAt
    }
  }
}
