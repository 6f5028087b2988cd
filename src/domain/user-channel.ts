/**
 * The user channel (docs/protocol.md "User channel"): events about one user, not one room —
 * `notify`, `read`, `membership` — delivered to every socket of that user on every node, whatever
 * rooms it joined, plus the control event that ends sessions on open sockets. Live only: what
 * must survive a disconnect is stored and read back through the HTTP API.
 */
import type { MembershipFrame, NotifyFrame, UserFrame } from '../protocol/frames.js'
import type { Bus, SessionEndReason, SessionsEnded, UserEvent } from './ports.js'
import { Broadcast } from './subscriber.js'

/**
 * One socket of a user. The transport registers each of its connections; the channel keeps one
 * array per user with a socket on this node, so an idle connection costs one array slot.
 */
export interface UserSubscriber {
  /** The session (sha256 of its token) the socket was opened with. */
  readonly sessionId: string
  /** When that session expires, as last read; moved forward when a re-check finds it renewed. */
  sessionExpiresAt: number
  /** A frame for the client; every socket of the user shares one encoding. */
  userEvent(frame: Broadcast<UserFrame>): void
  /** The socket's session ended: the transport closes it (the reason picks the close code). */
  endSession(reason: SessionEndReason): void
}

export type SessionSelector =
  { readonly session: string } | { readonly except: string } | { readonly all: true }

export class UserChannel {
  readonly #bus: Bus
  readonly #onError: (error: unknown) => void
  /** The users with a socket on this node, and those sockets: one array per user. */
  readonly #users = new Map<string, UserSubscriber[]>()
  /** Watches still on their way to the engine; kept only until they settle. */
  readonly #watching = new Map<string, Promise<void>>()
  /** For each user whose channel this node hears, the `epoch` at which it began to hear it. */
  readonly #heardSince = new Map<string, number>()
  #epoch = 0
  readonly #forgetListeners: Array<(userId: string) => void> = []

  constructor(bus: Bus, onError: (error: unknown) => void) {
    this.#bus = bus
    this.#onError = onError
    bus.onUserEvent((userId, event) => this.#route(userId, event))
  }

  /** Resolves once this node hears the user's channel (the first socket of the user watches it). */
  subscribe(userId: string, subscriber: UserSubscriber): Promise<void> {
    const list = this.#users.get(userId)
    if (list) {
      list.push(subscriber)
      return this.#watching.get(userId) ?? Promise.resolve()
    }
    this.#users.set(userId, [subscriber])
    const watched = this.#bus
      .watchUser(userId)
      .then(() => {
        if (this.#watching.get(userId) === watched) this.#heardSince.set(userId, ++this.#epoch)
      })
      .finally(() => {
        if (this.#watching.get(userId) === watched) this.#watching.delete(userId)
      })
    this.#watching.set(userId, watched)
    return watched
  }

  unsubscribe(userId: string, subscriber: UserSubscriber): void {
    const list = this.#users.get(userId)
    const index = list?.indexOf(subscriber) ?? -1
    if (!list || index < 0) return
    list.splice(index, 1)
    if (list.length > 0) return
    this.#users.delete(userId)
    this.#heardSince.delete(userId)
    this.#forget(userId)
    this.#bus.unwatchUser(userId).catch(this.#onError)
  }

  /**
   * A counter that moves on whenever this node begins to hear a user's channel: a reader that
   * notes it before a Store read knows, after, whether the user's channel was heard all along.
   */
  get epoch(): number {
    return this.#epoch
  }

  /**
   * Whether this node has heard the user's channel continuously since `epoch` (a value read from
   * `epoch` earlier): every `sessions-ended` published about the user since then reaches this
   * node, unless the bus lost it (then `onReconnect` follows). Listeners of `onForget` hear
   * when that stops.
   */
  heardSince(userId: string, epoch: number): boolean {
    const since = this.#heardSince.get(userId)
    return since !== undefined && since <= epoch
  }

  /**
   * Told the user's sessions may have ended (a `sessions-ended` event, from any node) or that this
   * node stopped hearing the user's channel: whatever is remembered about their sessions is stale.
   */
  onForget(listener: (userId: string) => void): void {
    this.#forgetListeners.push(listener)
  }

  notify(userId: string, notice: Omit<NotifyFrame, 'type'>): Promise<void> {
    return this.#bus.publishToUser(userId, { type: 'notify', ...notice })
  }

  /** The user's read mark in `room` moved to `seq` (echoed so the user's other devices follow). */
  read(userId: string, room: string, seq: number): Promise<void> {
    return this.#bus.publishToUser(userId, { type: 'read', room, seq })
  }

  membership(userId: string, change: Omit<MembershipFrame, 'type'>): Promise<void> {
    return this.#bus.publishToUser(userId, { type: 'membership', ...change })
  }

  /** Closes the user's sockets opened with the selected sessions, on every node. */
  endSessions(userId: string, which: SessionSelector, reason: SessionEndReason): Promise<void> {
    const event: SessionsEnded =
      'session' in which
        ? { type: 'sessions-ended', reason, session: which.session }
        : 'except' in which
          ? { type: 'sessions-ended', reason, except: which.except }
          : { type: 'sessions-ended', reason }
    return this.#bus.publishToUser(userId, event)
  }

  /** This node's subscribers, for session re-checks. */
  *subscribers(): Generator<UserSubscriber> {
    for (const list of this.#users.values()) yield* list
  }

  #forget(userId: string): void {
    for (const listener of this.#forgetListeners) listener(userId)
  }

  #route(userId: string, event: UserEvent): void {
    // Before the socket lookup: what is remembered of the user's sessions is stale either way.
    if (event.type === 'sessions-ended') this.#forget(userId)
    const list = this.#users.get(userId)
    if (!list) return
    if (event.type === 'sessions-ended') {
      // A copy: ending a session closes the socket, which may unsubscribe it at once.
      for (const subscriber of [...list]) {
        if (matches(event, subscriber.sessionId)) subscriber.endSession(event.reason)
      }
      return
    }
    const broadcast = new Broadcast<UserFrame>(event)
    for (const subscriber of list) subscriber.userEvent(broadcast)
  }
}

function matches(event: SessionsEnded, sessionId: string): boolean {
  if (event.session !== undefined) return event.session === sessionId
  if (event.except !== undefined) return event.except !== sessionId
  return true
}
