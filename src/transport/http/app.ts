/** Builds the Fastify app: security headers, cookies, WebSocket, error mapping, every route. */
import fastifyCookie from '@fastify/cookie'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'
import type { TransportContext } from '../context.js'
import { Gateway } from '../ws/gateway.js'
import { adminRoutes } from './admin-routes.js'
import { authRoutes } from './auth-routes.js'
import { errorHandler, sendError } from './errors.js'
import { fileRoutes } from './file-routes.js'
import { onClientError, onFrameworkError } from './framework-errors.js'
import { LongPolls } from './long-poll.js'
import { TurnPacer } from './turn-pacer.js'
import type { NodeCounts } from '../../metrics.js'
import { opsRoutes } from './ops-routes.js'
import { pages } from './pages.js'
import { memberRoutes } from './member-routes.js'
import { roomRoutes } from './room-routes.js'
import { messageRoutes } from './message-routes.js'
import { movieRoutes } from './movie-routes.js'
import { previewImageRoutes } from './preview-image-routes.js'
import { searchRoutes } from './search-routes.js'

export interface EddyApp {
  readonly app: FastifyInstance
  readonly gateway: Gateway
  readonly polls: LongPolls
  /** What this node holds now: one definition for /healthz and the metrics gauges. */
  readonly counts: () => NodeCounts
}

const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      // Preview images come through /api/rooms/…/previews/image, never from their own sites.
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  // Local http://127.0.0.1 must keep working; HSTS belongs to the TLS terminator (docs/deploy.md).
  strictTransportSecurity: false,
}

/** Long-polls hold a request for up to 30 s; anything longer than this is a stuck client. */
const REQUEST_TIMEOUT_MS = 60_000

/** A quarter of the headers timeout, between 50 ms and 1 s: prompt, yet not a busy timer. */
function checkingIntervalMs(headersTimeoutMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 4)))
}

export async function buildApp(ctx: TransportContext, webDist?: string): Promise<EddyApp> {
  // Typed as Fastify's base logger so the app is a plain FastifyInstance for route modules.
  const logger: FastifyBaseLogger = ctx.log
  // Admission first: a burst of HTTP requests is handled a slice per event-loop turn, so chat
  // frames arriving meanwhile are read, committed and fanned out between slices instead of
  // waiting behind the whole burst (turn-pacer.ts). Requests queue before Fastify routes them,
  // so a burst costs the turn it arrives in only Node's HTTP parsing.
  const pacer = new TurnPacer()
  const headersTimeoutMs = Math.min(ctx.http.headersTimeoutMs, REQUEST_TIMEOUT_MS)
  const app = Fastify({
    serverFactory: (handler) => {
      const server = createServer(
        // Node checks headersTimeout and requestTimeout only this often (default 30 s), so a
        // slowloris client could hold a connection for up to 30 s past its headers timeout.
        { connectionsCheckingInterval: checkingIntervalMs(headersTimeoutMs) },
        (req, res) => pacer.run(() => handler(req, res)),
      )
      // What Fastify sets itself when it creates the server.
      server.keepAliveTimeout = 10_000
      server.requestTimeout = REQUEST_TIMEOUT_MS
      server.headersTimeout = headersTimeoutMs
      server.setTimeout(REQUEST_TIMEOUT_MS)
      return server
    },
    loggerInstance: logger,
    // One line per request (the onResponse hook below), not Fastify's "incoming" + "completed".
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.http.trustProxy,
    bodyLimit: ctx.http.maxFrameBytes,
    genReqId: () => randomUUID(),
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
  })
  app.decorateRequest('user', undefined)
  app.decorateRequest('authByCookie', false)

  // WebSocket upgrades arrive as 'upgrade' events, not through the request handler above: they
  // are admitted through the same pacer here, so a reconnect storm shares the turns fairly too.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.headers.upgrade === undefined) done()
    else pacer.run(done)
  })

  // helmet's middleware is built once: @fastify/helmet rebuilt it (parsing the CSP) per request,
  // which made a burst of API calls cost the chat ~0.1 ms each on the event loop.
  const securityHeaders = helmet(SECURITY_HEADERS)
  app.addHook('onRequest', (request, reply, done) => {
    // helmet only sets headers and calls back synchronously; it has no error to pass on.
    securityHeaders(request.raw, reply.raw, () => done())
  })
  await app.register(fastifyCookie)
  await app.register(fastifyWebsocket, {
    options: { maxPayload: ctx.http.maxFrameBytes, perMessageDeflate: false },
  })

  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    )
    done()
  })

  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found'))

  const polls = new LongPolls(ctx.chat, ctx.clock, pacer, ctx.limits.maxPollsPerUser)
  const gateway = new Gateway(ctx)
  const counts = (): NodeCounts => ({
    connections: gateway.size,
    parkedPolls: polls.size,
    rooms: ctx.chat.roomCount,
  })
  await app.register(async (scoped) => {
    gateway.register(scoped)
    authRoutes(scoped, ctx)
    adminRoutes(scoped, ctx)
    roomRoutes(scoped, ctx, polls)
    messageRoutes(scoped, ctx)
    previewImageRoutes(scoped, ctx)
    await scoped.register((files) => fileRoutes(files, ctx))
    memberRoutes(scoped, ctx)
    searchRoutes(scoped, ctx)
    movieRoutes(scoped, ctx, pacer)
    opsRoutes(scoped, ctx, counts)
    await pages(scoped, webDist)
  })
  return { app, gateway, polls, counts }
}
