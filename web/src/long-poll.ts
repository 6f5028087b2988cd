/**
 * The long-poll fallback of the chat link (chat-link.ts): the probe that decides whether plain
 * HTTP works at all, then one `GET …/messages?after=&wait=` loop per joined room and sends over
 * `POST`. It tells its host when the server stops answering, so the link never claims a fallback
 * that is not carrying anything.
 */
import type {
  ChatMessage,
  ClientFrame,
  RoomLogEvent,
  ServerFrame,
} from '../../src/protocol/index.js'
import { ApiError } from './api.js'
import { backoffDelayMs, RECONNECT_BACKOFF } from './backoff.js'

/** What a message may carry besides its text: the message it answers, files uploaded for it. */
export interface SendExtras {
  readonly replyTo?: number | undefined
  /** File ids (upload.ts). */
  readonly attachments?: readonly string[] | undefined
}

/** An edit, delete or reaction of a message, as the socket carries it. */
export type ChangeFrame = Extract<ClientFrame, { type: 'edit' | 'delete' | 'react' }>

export interface PollApi {
  /** The room's log after `after`: every event, oldest first. */
  messagesAfter(
    room: string,
    after: number,
    waitSeconds: number | null,
    signal?: AbortSignal,
  ): Promise<RoomLogEvent[]>
  historyBefore(room: string, before: number, limit: number): Promise<ChatMessage[]>
  postMessage(room: string, text: string, cid: string, extras?: SendExtras): Promise<ChatMessage>
  /** The same change over HTTP (PATCH, DELETE, POST …/reactions); resolves with its seq. */
  change(frame: ChangeFrame): Promise<number>
  markRead(room: string, seq: number): Promise<void>
  /** Any quick request: it answering at all shows that plain HTTP reaches the server. */
  probe(): Promise<void>
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): number
  clearTimeout(id: number): void
}

/** What the poll loops need from the link: its cursors, and where to report. */
export interface LongPollHost {
  /** The room is still joined; undefined cursor: never joined yet. */
  joined(room: string): boolean
  cursor(room: string): number | undefined
  /** A first poll found the room's newest seq, like a `joined` frame. */
  started(room: string, seq: number): void
  /** An event of the room's log, in seq order. */
  event(event: RoomLogEvent): void
  /** The answer to a send: an ack, or the refusal as an error frame. */
  answer(frame: Extract<ServerFrame, { type: 'ack' | 'error' }>): void
  /** The room can take sends now. */
  ready(room: string): void
  /** The probe was answered: plain HTTP reaches the server. */
  reachable(): void
  /** The server stopped answering HTTP: the fallback carries nothing. */
  lost(): void
  unauthorized(): void
}

/** No answer at all, or a gateway/restarting server's 5xx: the fallback is not working. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500)
}

export class LongPoll {
  readonly #polls = new Map<string, AbortController>()
  readonly #api: PollApi
  readonly #timers: Timers
  readonly #host: LongPollHost
  readonly #waitSeconds: number
  readonly #random: () => number
  /** Bumped whenever a probe's answer would be stale (a socket opened, the link stopped). */
  #probeRun = 0
  #probing = false

  constructor(
    api: PollApi,
    timers: Timers,
    host: LongPollHost,
    waitSeconds: number,
    random: () => number = Math.random,
  ) {
    this.#api = api
    this.#timers = timers
    this.#host = host
    this.#waitSeconds = waitSeconds
    this.#random = random
  }

  get active(): boolean {
    return this.#polls.size > 0
  }

  start(room: string): void {
    if (this.#polls.has(room)) return
    const controller = new AbortController()
    this.#polls.set(room, controller)
    void this.#loop(room, controller.signal)
  }

  stop(room: string): void {
    this.#polls.get(room)?.abort()
    this.#polls.delete(room)
  }

  stopAll(): void {
    for (const controller of this.#polls.values()) controller.abort()
    this.#polls.clear()
  }

  /** Asks whether plain HTTP reaches the server; the host hears `reachable` only if it does. */
  probe(): void {
    if (this.#probing) return
    this.#probing = true
    const run = ++this.#probeRun
    this.#api.probe().then(
      () => {
        this.#probing = false
        if (run === this.#probeRun) this.#host.reachable()
      },
      (error: unknown) => {
        this.#probing = false
        if (run === this.#probeRun && error instanceof ApiError && error.status === 401)
          this.#host.unauthorized()
      },
    )
  }

  /** A socket opened (or the link stopped): an answer to a probe in flight means nothing now. */
  cancelProbe(): void {
    this.#probeRun++
  }

  /**
   * Sends over POST; a message that gets no answer stays pending for the next carrier. The answer
   * is only an ack: the stored message comes with the poll, in log order, so an edit just before
   * it is not taken for one already applied.
   */
  send(room: string, text: string, cid: string, extras: SendExtras = {}): void {
    this.#answer(this.#api.postMessage(room, text, cid, extras), room, cid)
  }

  /** An edit, delete or reaction over HTTP; the event itself comes with the poll. */
  change(frame: ChangeFrame): void {
    this.#answer(this.#api.change(frame), frame.room, frame.cid)
  }

  read(room: string, seq: number): void {
    this.#api.markRead(room, seq).catch(() => undefined)
  }

  #answer(call: Promise<number | { seq: number }>, room: string, cid: string): void {
    call.then(
      (done) => {
        const seq = typeof done === 'number' ? done : done.seq
        this.#host.answer({ type: 'ack', cid, seq, room })
      },
      (error: unknown) => {
        if (isUnreachable(error)) return this.#host.lost()
        if (error instanceof ApiError) {
          const { code, message } = error
          this.#host.answer({ type: 'error', code, message, cid, room })
        }
      },
    )
  }

  async #loop(room: string, signal: AbortSignal): Promise<void> {
    const api = this.#api
    const host = this.#host
    let attempt = 0
    let announced = false
    while (!signal.aborted && host.joined(room)) {
      try {
        let after = host.cursor(room)
        if (after === undefined) {
          // Never joined over the socket: start from the room's newest message, like `joined`.
          const [newest] = await api.historyBefore(room, Number.MAX_SAFE_INTEGER, 1)
          if (signal.aborted) return
          after = newest?.seq ?? 0
          host.started(room, after)
        }
        if (!announced) {
          announced = true
          host.ready(room)
        }
        const events = await api.messagesAfter(room, after, this.#waitSeconds, signal)
        for (const event of events) {
          if (signal.aborted) return
          host.event(event)
        }
        attempt = 0
      } catch (error: unknown) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.status === 401) return host.unauthorized()
        if (isUnreachable(error)) return host.lost()
        // This room refused (deleted, not a member…): only this loop backs off.
        const delay = backoffDelayMs(attempt++, RECONNECT_BACKOFF, this.#random)
        await new Promise<void>((resolve) => this.#timers.setTimeout(resolve, delay))
      }
    }
  }
}
