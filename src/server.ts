/** Assembles one Eddy node from a Config: engines → domain services → HTTP + WebSocket; and stops it. */
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { allowedOrigins, type Config } from './config.js'
import { Accounts } from './domain/accounts.js'
import { ChatService } from './domain/chat-service.js'
import type { Clock } from './domain/ports.js'
import type { LinkPreview } from './protocol/frames.js'
import { Rooms } from './domain/rooms.js'
import { createEngines, type Engines } from './engines.js'
import { createLogger, type Logger } from './log.js'
import { Argon2Hasher } from './security/argon2-hasher.js'
import { buildApp } from './transport/http/app.js'
import type { AppContext } from './transport/context.js'
import { MovieBot } from './domain/movie-bot.js'
import { createUpstreams, topTitles } from './upstream/index.js'

export interface EddyServer {
  readonly url: string
  readonly port: number
  readonly engines: Engines
  readonly log: Logger
  /** Graceful stop: no new connections, sockets closed with 1001, polls answered, store flushed. */
  close(): Promise<void>
}

export const systemClock: Clock = { now: () => Date.now() }

export async function startServer(config: Config, clock: Clock = systemClock): Promise<EddyServer> {
  const log = createLogger(config.LOG_LEVEL)
  const nodeId = config.NODE_ID ?? randomUUID()
  const engines = await createEngines(config, clock, log, nodeId)
  const limitsOn = config.RATE_LIMITS === 'on'
  const chat = new ChatService({
    store: engines.store,
    bus: engines.bus,
    presence: engines.presence,
    limiter: engines.limiter,
    clock,
    log,
    limits: {
      maxTextChars: config.MAX_TEXT_CHARS,
      send: limitsOn
        ? { capacity: config.SEND_BURST, refillPerSecond: config.SENDS_PER_SECOND }
        : undefined,
      typingIntervalMs: config.TYPING_INTERVAL_MS,
      presenceTtlMs: config.PRESENCE_TTL_MS,
    },
  })
  const upstreams = createUpstreams({
    allowPrivate: config.ALLOW_PRIVATE_UPSTREAMS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ...(config.MOVIES_UPSTREAM_URL ? { moviesUrl: config.MOVIES_UPSTREAM_URL } : {}),
    moviesCacheTtlMs: config.MOVIES_CACHE_TTL_MS,
    ...(config.LINK_PREVIEWS === 'on'
      ? {
          onPreview: (room: string, seq: number, preview: LinkPreview) =>
            chat.publishPreview(room, seq, preview),
        }
      : {}),
    onError: (error) => log.debug({ err: error }, 'background upstream work failed'),
  })
  const previewer = upstreams.previewer
  if (previewer)
    chat.onStored((message) => previewer.enqueue(message.room, message.seq, message.text))
  await MovieBot.reserveName(engines.store, clock)
  const movieBot = new MovieBot(
    chat,
    { top: async (count) => topTitles(await upstreams.movies.get(), count) },
    log,
  )
  chat.onStored(movieBot.onStored)
  const ctx: AppContext = {
    config,
    log,
    clock,
    accounts: new Accounts({
      store: engines.store,
      hasher: new Argon2Hasher(),
      clock,
      sessionTtlMs: config.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000,
    }),
    rooms: new Rooms(engines.store, clock),
    chat,
    limiter: engines.limiter,
    limits: {
      login: limitsOn
        ? {
            capacity: config.LOGIN_ATTEMPTS_PER_MINUTE,
            refillPerSecond: config.LOGIN_ATTEMPTS_PER_MINUTE / 60,
          }
        : undefined,
      register: limitsOn
        ? {
            capacity: config.REGISTRATIONS_PER_HOUR,
            refillPerSecond: config.REGISTRATIONS_PER_HOUR / 3600,
          }
        : undefined,
      maxConnectionsPerUser: limitsOn ? config.MAX_CONNECTIONS_PER_USER : undefined,
    },
    store: engines.store,
    bus: engines.bus,
    allowedOrigins: allowedOrigins(config),
    upstreams: { movies: upstreams.movies },
  }
  const { app, gateway, polls } = await buildApp(ctx)
  const sweep = setInterval(() => {
    chat
      .heartbeat()
      .catch((error: unknown) => log.warn({ err: error }, 'presence heartbeat failed'))
  }, config.PRESENCE_SWEEP_INTERVAL_MS)
  sweep.unref()

  await app.listen({ host: config.HOST, port: config.PORT })
  const { port } = app.server.address() as AddressInfo
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST
  log.info(
    { port, nodeId, store: config.DATABASE_URL ? 'postgres' : 'sqlite' },
    'eddy is listening',
  )

  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    port,
    engines,
    log,
    close() {
      closing ??= (async () => {
        clearInterval(sweep)
        gateway.closeAll()
        polls.closeAll()
        const closed = app.close()
        // Sockets that do not finish their close handshake promptly, and keep-alive connections
        // that went idle after close() began (answered polls), are cut after a short grace.
        setTimeout(() => {
          app.websocketServer.clients.forEach((socket) => socket.terminate())
          app.server.closeAllConnections()
        }, 1_000).unref()
        await closed
        log.info('http and websocket closed')
        await upstreams.close()
        await engines.close()
        log.info('storage closed')
      })()
      return closing
    },
  }
}
