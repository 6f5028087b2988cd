/**
 * The web client's live link to the server (the server's end of a socket is
 * src/transport/ws/connection.ts): one WebSocket with reconnect (backoff + jitter) that rejoins
 * every room with `since` = the last seq seen, and a long-poll fallback (long-poll.ts) when the
 * WebSocket keeps failing but plain HTTP still reaches the server.
 * It knows nothing of the DOM or the UI: sockets, the HTTP API and timers are injected, so the
 * whole state machine is unit tested (test/browser/connection.test.ts).
 *
 *   connecting ──open──▶ online ──close──▶ reconnecting ──open──▶ online
 *                            ▲                 │ ▲ 3 attempts that never opened, then an HTTP probe
 *                            │       probe ok  ▼ │ a poll or a send gets no answer
 *                            └──open (retried in the background)── polling
 *
 * "reconnecting" covers both a server that is down and a network that is gone: the fallback is
 * claimed only once an HTTP request has been answered while the socket was failing.
 */
import {
  WS_CLOSE,
  type ClientFrame,
  type RoomLogEvent,
  type ServerFrame,
} from '../../src/protocol/index.js'
import { backoffDelayMs, type BackoffOptions, RECONNECT_BACKOFF } from './backoff.js'
import {
  type ChangeFrame,
  LongPoll,
  type PollApi,
  type SendExtras,
  type Timers,
} from './long-poll.js'

export type { ChangeFrame, PollApi, SendExtras, Timers } from './long-poll.js'

export type LinkStatus = 'connecting' | 'online' | 'reconnecting' | 'polling'

export interface SocketHandlers {
  onOpen(): void
  onMessage(data: string): void
  /** `code`: the WebSocket close code, when the socket reports one. */
  onClose(code?: number): void
}

/** What the link needs from a socket; app.ts wraps the browser WebSocket in this. */
export interface SocketHandle {
  send(data: string): void
  close(): void
}

export interface ChatLinkListener {
  frame(frame: ServerFrame): void
  /**
   * `retryAt` (epoch ms): when the next socket attempt starts, while reconnecting and waiting;
   * null while an attempt is under way, and in the other states.
   */
  status(status: LinkStatus, retryAt: number | null): void
  /** The room can take sends now (joined over WebSocket, or polling): flush its outbox. */
  ready(room: string): void
  unauthorized(): void
}

export interface ChatLinkOptions {
  readonly openSocket: (handlers: SocketHandlers) => SocketHandle
  readonly api: PollApi
  readonly timers: Timers
  readonly random?: () => number
  readonly now?: () => number
  /** Attempts that never opened before the long-poll fallback is tried. */
  readonly failuresBeforePolling?: number
  readonly backoff?: BackoffOptions
  readonly pollWaitSeconds?: number
}

/** The frames that are events of a room's log, each with the next seq. */
const LOG_EVENT_TYPES: ReadonlySet<string> = new Set<RoomLogEvent['type']>([
  'message',
  'edit',
  'delete',
  'reaction',
  'member',
  'room',
])

/** A socket that closes sooner than this after opening counts as a failed attempt. */
const STABLE_OPEN_MS = 3_000

export class ChatLink {
  readonly #options: ChatLinkOptions
  readonly #listener: ChatLinkListener
  readonly #now: () => number
  /** Joined rooms → highest seq seen (undefined until the first joined/message). */
  readonly #cursors = new Map<string, number | undefined>()
  readonly #poll: LongPoll
  #socket: SocketHandle | null = null
  #open = false
  #openedAt = 0
  #attempt = 0
  #failures = 0
  #retryTimer: number | null = null
  #retryAt: number | null = null
  /** Bumped each time a new carrier (socket or fallback) starts: sends on an old one are lost. */
  #carrier = 0
  #status: LinkStatus = 'connecting'
  #stopped = false

  constructor(options: ChatLinkOptions, listener: ChatLinkListener) {
    this.#options = options
    this.#listener = listener
    this.#now = options.now ?? Date.now
    this.#poll = new LongPoll(
      options.api,
      options.timers,
      {
        joined: (room) => this.#cursors.has(room),
        cursor: (room) => this.#cursors.get(room),
        started: (room, seq) => {
          this.#advance(room, seq)
          this.#listener.frame({ type: 'joined', room, seq, online: [] })
        },
        event: (event) => this.#deliver(event),
        answer: (frame) => this.#listener.frame(frame),
        ready: (room) => this.#listener.ready(room),
        reachable: () => {
          if (!this.#open && !this.#stopped && this.#status !== 'polling') this.#startPolling()
        },
        lost: () => this.#fallbackLost(),
        unauthorized: () => this.#listener.unauthorized(),
      },
      options.pollWaitSeconds ?? 25,
      options.random,
    )
  }

  get status(): LinkStatus {
    return this.#status
  }

  /**
   * Which socket or fallback session is carrying sends now. A send made on an earlier one may be
   * lost with it and must go again (with the same cid, so it is never stored twice).
   */
  get carrier(): number {
    return this.#carrier
  }

  start(): void {
    this.#connect()
  }

  stop(): void {
    this.#stopped = true
    this.#poll.cancelProbe()
    this.#clearRetry()
    this.#poll.stopAll()
    this.#socket?.close()
    this.#socket = null
  }

  join(room: string): void {
    if (this.#cursors.has(room)) return
    this.#cursors.set(room, undefined)
    if (this.#open) this.#sendFrame({ type: 'join', room })
    else if (this.#status === 'polling') this.#poll.start(room)
  }

  leave(room: string): void {
    if (!this.#cursors.delete(room)) return
    this.#poll.stop(room)
    if (this.#open) this.#sendFrame({ type: 'leave', room })
  }

  /** Returns false when nothing could carry the message now; the caller keeps it in the outbox. */
  send(room: string, text: string, cid: string, extras: SendExtras = {}): boolean {
    const { replyTo, attachments = [] } = extras
    const more = {
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
    }
    if (this.#open) return this.#sendFrame({ type: 'send', room, text, cid, ...more })
    if (this.#status !== 'polling') return false
    this.#poll.send(room, text, cid, extras)
    return true
  }

  /** An edit, delete or reaction; false when nothing can carry it now (changes are not queued). */
  change(frame: ChangeFrame): boolean {
    if (this.#open) return this.#sendFrame(frame)
    if (this.#status !== 'polling') return false
    this.#poll.change(frame)
    return true
  }

  /** Moves the server's read mark (not acked; a lost one is superseded by the next). */
  read(room: string, seq: number): void {
    if (this.#open) this.#sendFrame({ type: 'read', room, seq })
    else if (this.#status === 'polling') this.#poll.read(room, seq)
  }

  typing(room: string): void {
    if (this.#open) this.#sendFrame({ type: 'typing', room })
  }

  /** The user asked, or the network came back (window 'online'): retry now, not after the backoff. */
  retryNow(): void {
    if (this.#stopped || this.#open) return
    this.#attempt = 0
    this.#clearRetry()
    if (!this.#socket) this.#connect()
  }

  /** The link looks dead (offline event, ack overdue): drop the socket and reconnect. */
  kick(): void {
    if (this.#socket) {
      this.#socket.close()
      this.#onClose(this.#socket)
    }
  }

  #connect(): void {
    if (this.#stopped) return
    this.#retryTimer = null
    this.#retryAt = null
    if (this.#status === 'reconnecting') this.#setStatus('reconnecting', null)
    const socket = this.#options.openSocket({
      onOpen: () => this.#onOpen(socket),
      onMessage: (data) => {
        if (this.#socket === socket) this.#onMessage(data)
      },
      onClose: (code) => {
        // The session ended (logout elsewhere, expiry, password change, ban): reconnecting with
        // it would only be refused, so sign out instead.
        if (
          this.#socket === socket &&
          (code === WS_CLOSE.sessionEnded || code === WS_CLOSE.accountBanned)
        ) {
          this.stop()
          this.#listener.unauthorized()
          return
        }
        this.#onClose(socket)
      },
    })
    this.#socket = socket
  }

  #onOpen(socket: SocketHandle): void {
    if (this.#socket !== socket) return
    this.#open = true
    this.#openedAt = this.#now()
    this.#attempt = 0
    this.#poll.cancelProbe()
    this.#carrier++
    this.#poll.stopAll()
    this.#setStatus('online')
    for (const [room, since] of this.#cursors) {
      this.#sendFrame(since === undefined ? { type: 'join', room } : { type: 'join', room, since })
    }
  }

  #onClose(socket: SocketHandle): void {
    if (this.#socket !== socket) return
    const wasStable = this.#open && this.#now() - this.#openedAt >= STABLE_OPEN_MS
    this.#socket = null
    this.#open = false
    if (this.#stopped) return
    this.#failures = wasStable ? 0 : this.#failures + 1
    const random = this.#options.random ?? Math.random
    const delay = backoffDelayMs(
      this.#attempt++,
      this.#options.backoff ?? RECONNECT_BACKOFF,
      random,
    )
    this.#clearRetry()
    this.#retryTimer = this.#options.timers.setTimeout(() => this.#connect(), delay)
    this.#retryAt = this.#now() + delay
    if (this.#status === 'polling') return
    this.#setStatus('reconnecting', this.#retryAt)
    // Only an answer over plain HTTP starts the fallback.
    if (this.#failures >= (this.#options.failuresBeforePolling ?? 3)) this.#poll.probe()
  }

  #startPolling(): void {
    this.#carrier++
    this.#setStatus('polling')
    for (const room of this.#cursors.keys()) this.#poll.start(room)
  }

  /** A poll or a send got no answer: say so, and wait for the socket (or the next probe). */
  #fallbackLost(): void {
    if (this.#status !== 'polling' || this.#stopped) return
    this.#poll.stopAll()
    this.#carrier++
    this.#setStatus('reconnecting', this.#socket ? null : this.#retryAt)
  }

  #onMessage(data: string): void {
    let frame: unknown
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    // Same-origin server speaking the shared protocol: a type tag is enough to route the frame.
    if (typeof frame !== 'object' || frame === null || !('type' in frame)) return
    const typed = frame as ServerFrame
    // Every event of the log moves the cursor: resume after them, not before.
    if (typed.type === 'joined' || LOG_EVENT_TYPES.has(typed.type)) {
      const { room, seq } = typed as { room: string; seq: number }
      this.#advance(room, seq)
    }
    this.#listener.frame(typed)
    if (typed.type === 'joined') this.#listener.ready(typed.room)
  }

  #deliver(event: RoomLogEvent): void {
    this.#advance(event.room, event.seq)
    this.#listener.frame(event)
  }

  #advance(room: string, seq: number): void {
    if (!this.#cursors.has(room)) return
    const current = this.#cursors.get(room)
    if (current === undefined || seq > current) this.#cursors.set(room, seq)
  }

  #sendFrame(frame: ClientFrame): boolean {
    if (!this.#socket || !this.#open) return false
    this.#socket.send(JSON.stringify(frame))
    return true
  }

  #setStatus(status: LinkStatus, retryAt: number | null = null): void {
    if (status === this.#status && status !== 'reconnecting') return
    this.#status = status
    this.#listener.status(status, retryAt)
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#options.timers.clearTimeout(this.#retryTimer)
    this.#retryTimer = null
    this.#retryAt = null
  }
}
