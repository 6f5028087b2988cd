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

export interface PollApi {
  messagesAfter(
    room: string,
    after: number,
    waitSeconds: number | null,
    signal?: AbortSignal,
  ): Promise<ChatMessage[]>
  historyBefore(room: string, before: number, limit: number): Promise<ChatMessage[]>
  postMessage(
    room: string,
    text: string,
    cid: string,
    attachments?: readonly string[],
  ): Promise<ChatMessage>
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
  send(room: string, text: string, cid: string, attachments: readonly string[] = []): boolean {
    const files = attachments.length > 0 ? { attachments: [...attachments] } : {}
    if (this.#open) return this.#sendFrame({ type: 'send', room, text, cid, ...files })
    if (this.#status !== 'polling') return false
    this.#options.api.postMessage(room, text, cid, attachments).then(
      (message) => {
        this.#deliver({ type: 'message', ...message })
        this.#listener.frame({ type: 'ack', cid, seq: message.seq, room })
      },
      (error: unknown) => {
        // No answer: the message stays pending and goes out again on the next ready().
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
    return true
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
    if (typed.type === 'message') this.#deliver(typed)
    else {
      // Membership and room events are in the log too: resume after them, not before.
      if (typed.type === 'joined' || typed.type === 'member' || typed.type === 'room')
        this.#advance(typed.room, typed.seq)
      this.#listener.frame(typed)
      if (typed.type === 'joined') this.#listener.ready(typed.room)
    }
  }

  #deliver(frame: Extract<ServerFrame, { type: 'message' }>): void {
    this.#advance(frame.room, frame.seq)
    this.#listener.frame(frame)
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
        const messages = await api.messagesAfter(room, after, wait, signal)
        for (const message of messages) {
          if (signal.aborted) return
          this.#deliver({ type: 'message', ...message })
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
