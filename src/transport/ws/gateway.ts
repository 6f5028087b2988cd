/**
 * The /chat WebSocket gateway: Origin, session and connection-cap checks run as HTTP hooks before
 * the upgrade (real 403/401/429 answers), then each socket becomes a Connection. One heartbeat
 * timer serves every socket. The connection cap is per node.
 */
import type {} from '@fastify/websocket'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RawData, WebSocket } from 'ws'
import type { Sender } from '../../domain/chat-service.js'
import { ChatError } from '../../domain/errors.js'
import { WS_CLOSE } from '../../protocol/error-codes.js'
import type { TransportContext } from '../context.js'
import { presentedToken } from '../http/auth.js'
import { isAllowedOrigin } from '../origin.js'
import { Connection, type ConnectionOptions } from './connection.js'

/** The users with a socket on this node: one Sender (and so one copy of its strings) each. */
interface LocalUser {
  readonly sender: Sender
  /** Open sockets plus upgrades that passed the cap check and are not accepted yet. */
  connections: number
}

interface Reservation {
  readonly local: LocalUser
  /** On the TCP socket's 'close' until accepted; removed then, so it pins nothing afterwards. */
  readonly abandon: () => void
}

export class Gateway {
  readonly #ctx: TransportContext
  readonly #connections = new Map<WebSocket, Connection>()
  readonly #users = new Map<string, LocalUser>()
  /** The upgrade's response, from the checks until the socket is accepted (see #release). */
  readonly #upgrades = new WeakMap<IncomingMessage, ServerResponse>()
  /** Upgrades holding a place under the connection cap until accepted or abandoned. */
  readonly #reservations = new WeakMap<IncomingMessage, Reservation>()
  readonly #connectionOptions: ConnectionOptions
  // One listener of each kind serves every socket (`this` is the socket): a closure and its
  // context per socket and event cost ~0.4 KiB per idle connection.
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void
  readonly #onPong: (this: WebSocket) => void
  readonly #onClose: (this: WebSocket) => void
  readonly #onError: (this: WebSocket, error: Error) => void
  #heartbeat: NodeJS.Timeout | undefined

  constructor(ctx: TransportContext) {
    this.#ctx = ctx
    this.#connectionOptions = {
      maxBufferedBytes: ctx.sockets.maxBufferedBytes,
      log: ctx.log,
      ...(ctx.sockets.onSlowReaderClosed
        ? { onSlowReaderClosed: ctx.sockets.onSlowReaderClosed }
        : {}),
    }
    const connections = this.#connections
    const closed = (socket: WebSocket) => this.#closed(socket)
    this.#onMessage = function (data, isBinary) {
      connections.get(this)?.receive(data, isBinary)
    }
    this.#onPong = function () {
      const connection = connections.get(this)
      if (connection) connection.alive = true
    }
    this.#onClose = function () {
      closed(this)
    }
    // What @fastify/websocket's own listener did (see #release): log, then terminate. These are
    // almost always the client's protocol errors (oversized or invalid UTF-8 frames, already
    // answered with 1009/1007), so they log at debug: at error level any client could flood the
    // log at will.
    this.#onError = function (error) {
      ctx.log.debug({ err: error }, 'socket error')
      this.terminate()
    }
  }

  get size(): number {
    return this.#connections.size
  }

  register(app: FastifyInstance): void {
    const ctx = this.#ctx
    app.get(
      '/chat',
      {
        websocket: true,
        preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
          const origin = request.headers.origin
          // Cross-site WebSocket hijacking: a browser on a foreign page would carry our cookie.
          if (
            origin !== undefined &&
            !isAllowedOrigin(
              origin,
              request.headers.host,
              request.protocol === 'https',
              ctx.http.allowedOrigins,
            )
          ) {
            throw new ChatError('forbidden_origin')
          }
          const presented = presentedToken(request)
          const user = presented ? await ctx.accounts.authenticate(presented.token) : undefined
          if (!user) throw new ChatError('unauthorized')
          // The place is taken here, with no await between check and count: counting at accept
          // let concurrent upgrades all pass the check (32 sockets under a cap of 20).
          const local = this.#localUser(user)
          const cap = ctx.limits.maxConnectionsPerUser
          if (cap !== undefined && local.connections >= cap) {
            this.#dropIfIdle(local)
            throw new ChatError('too_many_connections')
          }
          local.connections += 1
          const raw = request.raw
          // A handshake that fails after the checks (ws refuses it) never reaches #accept.
          const abandon = () => this.#unreserve(raw)
          this.#reservations.set(raw, { local, abandon })
          raw.socket.once('close', abandon)
          request.user = user
          this.#upgrades.set(request.raw, reply.raw)
        },
      },
      (socket: WebSocket, request: FastifyRequest) => this.#accept(socket, request),
    )
    this.#heartbeat = setInterval(() => this.#beat(), ctx.sockets.heartbeatIntervalMs)
    this.#heartbeat.unref()
  }

  /** Shutdown: every socket gets 1001 so clients reconnect (elsewhere) and resume with since. */
  closeAll(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    for (const connection of this.#connections.values())
      connection.close(WS_CLOSE.goingAway, 'server restarting')
  }

  #accept(socket: WebSocket, request: FastifyRequest): void {
    this.#release(socket, request.raw)
    const reservation = this.#reservations.get(request.raw)
    if (!reservation) {
      socket.close(WS_CLOSE.policyViolation, 'unauthorized')
      return
    }
    this.#reservations.delete(request.raw)
    request.raw.socket.off('close', reservation.abandon)
    const local = reservation.local
    const user = request.user
    if (!user) {
      socket.close(WS_CLOSE.policyViolation, 'unauthorized')
      return
    }
    const connection = new Connection(
      socket,
      local.sender,
      { id: user.sessionId, expiresAt: user.sessionExpiresAt },
      this.#ctx.chat,
      this.#connectionOptions,
      request.raw.socket,
    )
    this.#connections.set(socket, connection)
    this.#ctx.socketSessions.attach(user.id, connection).catch((error: unknown) => {
      this.#ctx.log.warn({ err: error }, 'could not watch the user channel')
    })
    socket.on('message', this.#onMessage)
    socket.on('pong', this.#onPong)
    socket.on('close', this.#onClose)
  }

  #localUser(user: Sender): LocalUser {
    let local = this.#users.get(user.id)
    if (!local) {
      local = { sender: { id: user.id, username: user.username }, connections: 0 }
      this.#users.set(user.id, local)
    }
    return local
  }

  #dropIfIdle(local: LocalUser): void {
    if (local.connections === 0) this.#users.delete(local.sender.id)
  }

  #unreserve(raw: IncomingMessage): void {
    const reservation = this.#reservations.get(raw)
    if (!reservation) return
    this.#reservations.delete(raw)
    reservation.local.connections -= 1
    this.#dropIfIdle(reservation.local)
  }

  #closed(socket: WebSocket): void {
    const connection = this.#connections.get(socket)
    if (!connection) return
    this.#connections.delete(socket)
    this.#ctx.socketSessions.detach(connection.sender.id, connection)
    const local = this.#users.get(connection.sender.id)
    if (local) {
      local.connections -= 1
      this.#dropIfIdle(local)
    }
    connection.dispose().catch((error: unknown) => {
      this.#ctx.log.warn({ err: error }, 'could not record a disconnect')
    })
  }

  /**
   * @fastify/websocket routes the upgrade through a ServerResponse that it pins to the TCP socket,
   * and adds an 'error' listener that closes over Fastify's request and reply. Left as they are,
   * every open WebSocket keeps that response, the request and its headers, the security headers,
   * Reply, Request and a child logger alive: ~4.8 KiB of heap per idle connection, more than the
   * WebSocket itself. None of it is used once the socket is upgraded.
   */
  #release(socket: WebSocket, raw: IncomingMessage): void {
    const response = this.#upgrades.get(raw)
    this.#upgrades.delete(raw)
    if (response?.socket) response.detachSocket(response.socket)
    // Only the plugin's listener is attached yet.
    socket.removeAllListeners('error')
    socket.on('error', this.#onError)
  }

  #beat(): void {
    for (const connection of this.#connections.values()) {
      if (!connection.alive) connection.terminate()
      else connection.ping()
    }
  }
}
