/**
 * The /chat WebSocket gateway: Origin, session and connection-cap checks run as HTTP hooks before
 * the upgrade (real 403/401/429 answers), then each socket becomes a Connection. One heartbeat
 * timer serves every socket.
 */
import type {} from '@fastify/websocket'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WebSocket } from 'ws'
import { ChatError } from '../../domain/errors.js'
import { WS_CLOSE } from '../../protocol/error-codes.js'
import type { AppContext } from '../context.js'
import { presentedToken } from '../http/auth.js'
import { isAllowedOrigin } from '../origin.js'
import { Connection } from './connection.js'

export class Gateway {
  readonly #ctx: AppContext
  readonly #connections = new Set<Connection>()
  readonly #perUser = new Map<string, number>()
  /** The upgrade's response, from the checks until the socket is accepted (see #release). */
  readonly #upgrades = new WeakMap<IncomingMessage, ServerResponse>()
  #heartbeat: NodeJS.Timeout | undefined

  constructor(ctx: AppContext) {
    this.#ctx = ctx
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
              ctx.allowedOrigins,
            )
          ) {
            throw new ChatError('forbidden_origin')
          }
          const presented = presentedToken(request)
          const user = presented ? await ctx.accounts.authenticate(presented.token) : undefined
          if (!user) throw new ChatError('unauthorized')
          const cap = ctx.limits.maxConnectionsPerUser
          if (cap !== undefined && (this.#perUser.get(user.id) ?? 0) >= cap) {
            throw new ChatError('too_many_connections')
          }
          request.user = user
          this.#upgrades.set(request.raw, reply.raw)
        },
      },
      (socket: WebSocket, request: FastifyRequest) => this.#accept(socket, request),
    )
    this.#heartbeat = setInterval(() => this.#beat(), ctx.config.HEARTBEAT_INTERVAL_MS)
    this.#heartbeat.unref()
  }

  /** Shutdown: every socket gets 1001 so clients reconnect (elsewhere) and resume with since. */
  closeAll(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    for (const connection of this.#connections)
      connection.close(WS_CLOSE.goingAway, 'server restarting')
  }

  #accept(socket: WebSocket, request: FastifyRequest): void {
    this.#release(socket, request.raw)
    const user = request.user
    if (!user) {
      socket.close(WS_CLOSE.policyViolation, 'unauthorized')
      return
    }
    const connection = new Connection(socket, user, this.#ctx.chat, {
      maxBufferedBytes: this.#ctx.config.MAX_SOCKET_BUFFER_BYTES,
      log: this.#ctx.log,
      stream: request.raw.socket,
    })
    this.#connections.add(connection)
    this.#perUser.set(user.id, (this.#perUser.get(user.id) ?? 0) + 1)
    socket.on('close', () => {
      this.#connections.delete(connection)
      const left = (this.#perUser.get(user.id) ?? 1) - 1
      if (left > 0) this.#perUser.set(user.id, left)
      else this.#perUser.delete(user.id)
      connection.dispose().catch((error: unknown) => {
        this.#ctx.log.warn({ err: error }, 'could not record a disconnect')
      })
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
    // Only the plugin's listener is attached yet; this one does what it did (log, then terminate).
    socket.removeAllListeners('error')
    socket.on('error', (error) => {
      this.#ctx.log.error({ err: error }, 'socket error')
      socket.terminate()
    })
  }

  #beat(): void {
    for (const connection of this.#connections) {
      if (!connection.alive) connection.terminate()
      else connection.ping()
    }
  }
}
