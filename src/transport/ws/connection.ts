/**
 * One WebSocket connection: parses frames with the protocol schema, hands them to the chat service,
 * and writes to the socket through a bounded buffer (a reader too slow to drain it gets 1013).
 */
import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import type { ChatService, Sender } from '../../domain/chat-service.js'
import { isChatError } from '../../domain/errors.js'
import type { SessionEndReason } from '../../domain/ports.js'
import type { Broadcast, EndReason, RoomEvent } from '../../domain/subscriber.js'
import type { UserSubscriber } from '../../domain/user-channel.js'
import { ERRORS, WS_CLOSE, type ErrorCode } from '../../protocol/error-codes.js'
import {
  CLIENT_FRAME_TYPES,
  ClientFrame,
  type RoomLogEvent,
  type ServerFrame,
  type UserFrame,
} from '../../protocol/frames.js'
import { fastSendFrame } from '../../protocol/send-fast-path.js'
import type { Logger } from '../../log.js'
import { frameHandlers, type FrameSource } from './frame-handlers.js'

/** Shared by every connection of a gateway. */
export interface ConnectionOptions {
  readonly maxBufferedBytes: number
  readonly log: Logger
  readonly onSlowReaderClosed?: () => void
}

/** How long a socket closed for slowness may take to finish its close handshake. */
const SLOW_CLOSE_GRACE_MS = 5_000

/** The close code and reason a socket gets when its session ends (docs/protocol.md). */
const SESSION_END_CLOSE: Readonly<Record<SessionEndReason, readonly [number, string]>> = {
  logout: [WS_CLOSE.sessionEnded, 'session ended: signed out'],
  expired: [WS_CLOSE.sessionEnded, 'session ended: expired'],
  password_changed: [WS_CLOSE.sessionEnded, 'session ended: password changed'],
  logout_all: [WS_CLOSE.sessionEnded, 'session ended: signed out everywhere'],
  banned: [WS_CLOSE.accountBanned, 'account banned'],
}

/** The session a socket was opened with (see UserSubscriber). */
export interface SocketSession {
  readonly id: string
  readonly expiresAt: number
}

export class Connection implements FrameSource, UserSubscriber {
  // Built natively in one piece: randomUUID() concatenates its 36 characters in JavaScript, and the
  // unflattened string tree it returns costs ~0.5 KiB for as long as the connection lives.
  readonly id = randomBytes(16).toString('base64url')
  readonly user: string
  readonly userId: string
  readonly sender: Sender
  readonly sessionId: string
  sessionExpiresAt: number
  /** Cleared by each ping, set by each pong: the gateway's heartbeat drops silent peers. */
  alive = true
  readonly #socket: WebSocket
  readonly #chat: ChatService
  readonly #options: ConnectionOptions
  /** The upgraded TCP socket under the WebSocket, corked per tick to batch writes. */
  readonly #stream: Duplex | undefined
  /** Copied on change, never grown in place: most connections join one room or two. */
  #rooms: readonly string[] = NO_ROOMS
  #corked = false
  #corkedBytes = 0

  /** `sender` is shared by the user's connections; `options` by all of them. */
  constructor(
    socket: WebSocket,
    sender: Sender,
    session: SocketSession,
    chat: ChatService,
    options: ConnectionOptions,
    stream?: Duplex,
  ) {
    this.sessionId = session.id
    this.sessionExpiresAt = session.expiresAt
    this.#socket = socket
    this.#chat = chat
    this.#options = options
    this.#stream = stream
    this.user = sender.username
    this.userId = sender.id
    this.sender = sender
  }

  get rooms(): readonly string[] {
    return this.#rooms
  }

  /** Every log event is its own wire frame already (its `type` included): encoded once, as is. */
  deliver(broadcast: Broadcast<RoomLogEvent>): void {
    broadcast.encoded ??= Buffer.from(JSON.stringify(broadcast.payload))
    this.#write(broadcast.encoded)
  }

  event(broadcast: Broadcast<RoomEvent>): void {
    broadcast.encoded ??= Buffer.from(JSON.stringify(broadcast.payload))
    this.#write(broadcast.encoded)
  }

  ended(room: string, reason: EndReason): void {
    this.#forget(room)
    this.sendFrame({ type: 'left', room, reason })
  }

  userEvent(broadcast: Broadcast<UserFrame>): void {
    broadcast.encoded ??= Buffer.from(JSON.stringify(broadcast.payload))
    this.#write(broadcast.encoded)
  }

  endSession(reason: SessionEndReason): void {
    const [code, text] = SESSION_END_CLOSE[reason]
    this.close(code, text)
  }

  fail(room: string, error: unknown): void {
    this.#forget(room)
    const code = isChatError(error) ? error.code : 'store_unavailable'
    // A deleted room ends its subscriptions this way too; that is no fault worth a warning.
    if (code !== 'room_not_found') {
      this.#options.log.warn({ err: error, room }, 'could not catch a subscriber up')
    }
    this.sendError(code, undefined, room, isChatError(error) ? error.message : undefined)
  }

  get congested(): boolean {
    return this.#socket.bufferedAmount > this.#options.maxBufferedBytes / 4
  }

  /** Resolves once everything queued so far has been handed to the kernel (or the socket closed). */
  drained(): Promise<void> {
    if (this.#socket.readyState !== this.#socket.OPEN) return Promise.resolve()
    // ws calls a ping's callback once the frame, and so everything before it, is flushed.
    return new Promise((resolve) => this.#socket.ping(undefined, undefined, () => resolve()))
  }

  sendFrame(frame: ServerFrame): void {
    this.#write(JSON.stringify(frame))
  }

  sendError(code: ErrorCode, cid?: string, room?: string, message?: string): void {
    this.sendFrame({
      type: 'error',
      code,
      message: message ?? ERRORS[code].message,
      ...(cid === undefined ? {} : { cid }),
      ...(room === undefined ? {} : { room }),
    })
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason)
    setTimeout(() => this.#socket.terminate(), SLOW_CLOSE_GRACE_MS).unref()
  }

  terminate(): void {
    this.#socket.terminate()
  }

  ping(): void {
    this.alive = false
    this.#socket.ping()
  }

  /** Leaves every room (presence "leave" after the user's last tab). */
  async dispose(): Promise<void> {
    const rooms = this.#rooms
    this.#rooms = NO_ROOMS
    for (const room of rooms) await this.#chat.unsubscribe(this, room)
  }

  /** Text frames only; bytes are already UTF-8 and are written as they are, never re-encoded. */
  #write(data: string | Uint8Array): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return
    // Bytes corked in this tick are not the reader's fault: only what it left unread counts.
    if (this.#socket.bufferedAmount - this.#corkedBytes > this.#options.maxBufferedBytes) {
      this.close(WS_CLOSE.tryAgainLater, 'reader too slow; resume with since')
      this.#options.onSlowReaderClosed?.()
      return
    }
    this.#corkForThisTick()
    this.#corkedBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
    this.#socket.send(data, { binary: false })
  }

  /**
   * Frames written in one turn of the event loop (a group commit's acks and fan-out) leave in one
   * write instead of one syscall each.
   */
  #corkForThisTick(): void {
    const raw = this.#stream
    if (this.#corked || !raw) return
    this.#corked = true
    raw.cork()
    process.nextTick(() => {
      this.#corked = false
      this.#corkedBytes = 0
      raw.uncork()
    })
  }

  /** A frame from the socket (the gateway's shared 'message' listener). */
  receive(data: RawData, isBinary: boolean): void {
    if (isBinary || !Buffer.isBuffer(data)) {
      this.sendError('invalid_frame', undefined, undefined, 'Frames are JSON text, not binary.')
      return
    }
    let json: unknown
    try {
      json = JSON.parse(data.toString('utf8'))
    } catch {
      this.sendError('invalid_json')
      return
    }
    // Most frames under load are plain sends: checked without the schema, same verdicts.
    const send = fastSendFrame(json)
    if (send !== undefined) {
      void this.#handle(send)
      return
    }
    const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined
    const cid = pickCid(json)
    if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
      this.sendError('unknown_frame_type', cid)
      return
    }
    const parsed = ClientFrame.safeParse(json)
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`)
      this.sendError('invalid_frame', cid, undefined, `Invalid ${type} frame: ${reason.join('; ')}`)
      return
    }
    void this.#handle(parsed.data)
  }

  #forget(room: string): void {
    if (this.#rooms.includes(room)) this.#rooms = this.#rooms.filter((r) => r !== room)
  }

  async #handle(frame: ClientFrame): Promise<void> {
    const cid = 'cid' in frame ? frame.cid : undefined
    try {
      if (frame.type === 'join' && !this.#rooms.includes(frame.room))
        this.#rooms = this.#rooms.concat(frame.room)
      if (frame.type === 'leave') this.#forget(frame.room)
      await (
        frameHandlers[frame.type] as (
          c: ChatService,
          s: FrameSource,
          f: ClientFrame,
        ) => Promise<void>
      )(this.#chat, this, frame)
    } catch (error) {
      if (frame.type === 'join') this.#forget(frame.room)
      if (isChatError(error)) {
        this.sendError(error.code, cid, frame.room, error.message)
        return
      }
      this.#options.log.error({ err: error, frame: frame.type }, 'frame handler failed')
      this.sendError('internal', cid, frame.room)
    }
  }
}

const NO_ROOMS: readonly string[] = []

function pickCid(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('cid' in json)) return undefined
  return typeof json.cid === 'string' && json.cid.length <= 64 ? json.cid : undefined
}
