/**
 * The web client's live link to the server (the server's end of a socket is
 * src/transport/ws/connection.ts): one WebSocket with reconnect (backoff + jitter) that rejoins
 * every room with `since` = the last seq seen, and a long-poll fallback when the WebSocket keeps
 * failing.
 * It knows nothing of the DOM or the UI: sockets, the HTTP API and timers are injected, so the
 * whole state machine is unit tested (test/browser/connection.test.ts).
 *
 *   connecting ──open──▶ online ──close──▶ reconnecting ──open──▶ online
 *                            ▲                  │ 3 attempts that never opened
 *                            └──open (retried in the background)── polling
 */
import {
  WS_CLOSE,
  type ChatMessage,
  type ClientFrame,
  type RoomLogEvent,
  type ServerFrame,
} from '../../src/protocol/index.js'
import { ApiError } from './api.js'
import { backoffDelayMs, type BackoffOptions, RECONNECT_BACKOFF } from './backoff.js'

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

/** An edit, delete or reaction of a message, as the socket carries it. */
export type ChangeFrame = Extract<ClientFrame, { type: 'edit' | 'delete' | 'react' }>

export interface PollApi {
  messagesAfter(
    room: string,
    after: number,
    waitSeconds: number | null,
    signal?: AbortSignal,
  ): Promise<RoomLogEvent[]>
  historyBefore(room: string, before: number, limit: number): Promise<ChatMessage[]>
  postMessage(room: string, text: string, cid: string, replyTo?: number): Promise<ChatMessage>
  /** The same change over HTTP (PATCH, DELETE, POST …/reactions); resolves with its seq. */
  change(frame: ChangeFrame): Promise<number>
  markRead(room: string, seq: number): Promise<void>
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): number
  clearTimeout(id: number): void
}

export interface ChatLinkListener {
  frame(frame: ServerFrame): void
  status(status: LinkStatus): void
  /** The room can take sends now (joined over WebSocket, or polling): flush its outbox. */
  ready(room: string): void
  unauthorized(): void
}

export interface ChatLinkOptions {
  readonly openSocket: (handlers: SocketHandlers) => SocketHandle
  readonly api: PollApi
  readonly timers: Timers
  readonly random?: () => number
  /** Attempts that never opened before the long-poll fallback starts. */
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
  /** Joined rooms → highest seq seen (undefined until the first joined/message). */
  readonly #cursors = new Map<string, number | undefined>()
  #socket: SocketHandle | null = null
  #open = false
  #openedAt = 0
  #attempt = 0
  #failures = 0
  #retryTimer: number | null = null
  #polls = new Map<string, AbortController>()
  #status: LinkStatus = 'connecting'
  #stopped = false

  constructor(options: ChatLinkOptions, listener: ChatLinkListener) {
    this.#options = options
    this.#listener = listener
  }

  get status(): LinkStatus {
    return this.#status
  }

  start(): void {
    this.#connect()
  }

  stop(): void {
    this.#stopped = true
    this.#clearRetry()
    this.#stopPolling()
    this.#socket?.close()
    this.#socket = null
  }

  join(room: string): void {
    if (this.#cursors.has(room)) return
    this.#cursors.set(room, undefined)
    if (this.#open) this.#sendFrame({ type: 'join', room })
    else if (this.#status === 'polling') this.#startPoll(room)
  }

  leave(room: string): void {
    if (!this.#cursors.delete(room)) return
    this.#polls.get(room)?.abort()
    this.#polls.delete(room)
    if (this.#open) this.#sendFrame({ type: 'leave', room })
  }

  /** Returns false when nothing could carry the message now; the caller keeps it in the outbox. */
  send(room: string, text: string, cid: string, replyTo?: number): boolean {
    const answers = replyTo === undefined ? {} : { replyTo }
    if (this.#open) return this.#sendFrame({ type: 'send', room, text, cid, ...answers })
    if (this.#status !== 'polling') return false
    // Only the ack: the stored message comes with the poll, in log order (an edit just before it
    // must not be skipped as already applied).
    // No answer: the message stays pending and goes out again on the next ready().
    this.#overHttp(this.#options.api.postMessage(room, text, cid, replyTo), room, cid)
    return true
  }

  /** An edit, delete or reaction; false when nothing can carry it now (nothing is queued). */
  change(frame: ChangeFrame): boolean {
    if (this.#open) return this.#sendFrame(frame)
    if (this.#status !== 'polling') return false
    this.#overHttp(this.#options.api.change(frame), frame.room, frame.cid)
    return true
  }

  /** Moves the server's read mark (never acked; a lost one is sent again with the next read). */
  read(room: string, seq: number): void {
    if (this.#open) this.#sendFrame({ type: 'read', room, seq })
    else if (this.#status === 'polling')
      this.#options.api.markRead(room, seq).catch(() => undefined)
  }

  #overHttp(call: Promise<number | { seq: number }>, room: string, cid: string): void {
    call.then(
      (done) => {
        const seq = typeof done === 'number' ? done : done.seq
        this.#listener.frame({ type: 'ack', cid, seq, room })
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status !== 0) {
          this.#listener.frame({
            type: 'error',
            code: error.code,
            message: error.message,
            cid,
            room,
          })
        }
      },
    )
  }

  typing(room: string): void {
    if (this.#open) this.#sendFrame({ type: 'typing', room })
  }

  /** The network came back (window 'online'): retry now instead of waiting out the backoff. */
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
    this.#openedAt = Date.now()
    this.#attempt = 0
    this.#stopPolling()
    this.#setStatus('online')
    for (const [room, since] of this.#cursors) {
      this.#sendFrame(since === undefined ? { type: 'join', room } : { type: 'join', room, since })
    }
  }

  #onClose(socket: SocketHandle): void {
    if (this.#socket !== socket) return
    const wasStable = this.#open && Date.now() - this.#openedAt >= STABLE_OPEN_MS
    this.#socket = null
    this.#open = false
    if (this.#stopped) return
    this.#failures = wasStable ? 0 : this.#failures + 1
    if (this.#status !== 'polling') {
      if (this.#failures >= (this.#options.failuresBeforePolling ?? 3)) this.#startPolling()
      else this.#setStatus('reconnecting')
    }
    const random = this.#options.random ?? Math.random
    const delay = backoffDelayMs(
      this.#attempt++,
      this.#options.backoff ?? RECONNECT_BACKOFF,
      random,
    )
    this.#clearRetry()
    this.#retryTimer = this.#options.timers.setTimeout(() => this.#connect(), delay)
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

  #startPolling(): void {
    this.#setStatus('polling')
    for (const room of this.#cursors.keys()) this.#startPoll(room)
  }

  #stopPolling(): void {
    for (const controller of this.#polls.values()) controller.abort()
    this.#polls.clear()
  }

  #startPoll(room: string): void {
    if (this.#polls.has(room)) return
    const controller = new AbortController()
    this.#polls.set(room, controller)
    void this.#pollLoop(room, controller.signal)
  }

  async #pollLoop(room: string, signal: AbortSignal): Promise<void> {
    const { api } = this.#options
    let attempt = 0
    let announced = false
    while (!signal.aborted && this.#cursors.has(room)) {
      try {
        let after = this.#cursors.get(room)
        if (after === undefined) {
          // Never joined over the socket: start from the room's newest message, like `joined`.
          const [newest] = await api.historyBefore(room, Number.MAX_SAFE_INTEGER, 1)
          if (signal.aborted) return
          after = newest?.seq ?? 0
          this.#advance(room, after)
          this.#listener.frame({ type: 'joined', room, seq: after, online: [] })
        }
        if (!announced) {
          announced = true
          this.#listener.ready(room)
        }
        const wait = this.#options.pollWaitSeconds ?? 25
        const events = await api.messagesAfter(room, after, wait, signal)
        for (const event of events) {
          if (signal.aborted) return
          this.#deliver(event)
        }
        attempt = 0
      } catch (error: unknown) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.status === 401) {
          this.#listener.unauthorized()
          return
        }
        const delay = backoffDelayMs(attempt++, RECONNECT_BACKOFF, this.#options.random)
        await new Promise<void>((resolve) => this.#options.timers.setTimeout(resolve, delay))
      }
    }
  }

  #setStatus(status: LinkStatus): void {
    if (status === this.#status) return
    this.#status = status
    this.#listener.status(status)
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#options.timers.clearTimeout(this.#retryTimer)
    this.#retryTimer = null
  }
}
