/** Wires one Eddy node from a Config: engines → domain services → the context the transports get. */
import { randomUUID } from 'node:crypto'
import { adminUsers, allowedOrigins, type Config } from './config.js'
import { Accounts } from './domain/accounts.js'
import { ServerAdmins } from './domain/admins.js'
import { ChatService } from './domain/chat-service.js'
import { DirectMessages } from './domain/direct-messages.js'
import { Files } from './domain/files.js'
import { Membership } from './domain/membership.js'
import { probeHealth } from './domain/health.js'
import { Moderation } from './domain/moderation.js'
import { MovieBot } from './domain/movie-bot.js'
import type { Clock, PasswordHasher, RateLimitRule } from './domain/ports.js'
import { Rooms } from './domain/rooms.js'
import { Search } from './domain/search.js'
import { SessionCache } from './domain/session-cache.js'
import { SocketSessions } from './domain/socket-sessions.js'
import { UserChannel } from './domain/user-channel.js'
import { createEngines, type Engines } from './engines.js'
import type { Logger } from './log.js'
import { EddyMetrics } from './metrics.js'
import type { LinkPreview } from './protocol/frames.js'
import { Argon2Hasher } from './security/argon2-hasher.js'
import type { TransportContext } from './transport/context.js'
import { createUpstreams, topTitles, type Upstreams } from './upstream/index.js'

export interface WiredNode {
  readonly nodeId: string
  readonly engines: Engines
  readonly chat: ChatService
  /** Uploads, downloads and the file janitor (server.ts runs it every FILE_JANITOR_INTERVAL_MS). */
  readonly files: Files
  /** Per-user events to every socket of a user on every node (notify, read, membership). */
  readonly userChannel: UserChannel
  readonly socketSessions: SocketSessions
  readonly metrics: EddyMetrics
  readonly upstreams: Upstreams
  readonly transport: TransportContext
}

const DAY_MS = 24 * 60 * 60 * 1000

export async function wireNode(
  config: Config,
  clock: Clock,
  log: Logger,
  hasher: PasswordHasher = new Argon2Hasher(),
): Promise<WiredNode> {
  const nodeId = config.NODE_ID ?? randomUUID()
  const engines = await createEngines(config, clock, log, nodeId)
  const limitsOn = config.RATE_LIMITS === 'on'
  const perMinute = (count: number): RateLimitRule => ({
    capacity: count,
    refillPerSecond: count / 60,
  })
  const perHour = (count: number): RateLimitRule => ({
    capacity: count,
    refillPerSecond: count / 3600,
  })
  const metrics = new EddyMetrics(engines.store, engines.bus)
  const admins = new ServerAdmins(adminUsers(config))
  const userChannel = new UserChannel(engines.bus, (error) =>
    log.warn({ err: error }, 'user channel could not reach the bus'),
  )
  const membership = new Membership({
    store: engines.store,
    bus: engines.bus,
    clock,
    admins,
    notices: userChannel,
  })
  const files = new Files({
    store: engines.store,
    blobs: engines.blobs,
    membership,
    clock,
    log,
    limits: {
      maxBytes: config.MAX_UPLOAD_BYTES,
      unattachedTtlMs: config.UNATTACHED_FILE_TTL_HOURS * 60 * 60 * 1000,
    },
  })
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
      presenceLeaveGraceMs: config.PRESENCE_LEAVE_GRACE_MS,
      maxAttachments: config.MAX_ATTACHMENTS,
    },
    membership,
    metrics,
    notifier: userChannel,
    // A deleted message's files were doomed with it: their bytes go before the answer does.
    afterDelete: () => files.collect(),
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
    chat.onStored((message) =>
      previewer.enqueue(message.room, message.seq, message.text, message.user),
    )
  await MovieBot.reserveName(engines.store, clock)
  const movieBot = new MovieBot(
    chat,
    { top: async (count) => topTitles(await upstreams.movies.get(), count) },
    log,
  )
  chat.onStored(movieBot.onStored)

  const sessions = new SessionCache(engines.store, clock, userChannel, engines.bus)
  const socketSessions = new SocketSessions(
    engines.store,
    clock,
    userChannel,
    engines.bus,
    log,
    sessions,
  )

  const transport: TransportContext = {
    log,
    clock,
    accounts: new Accounts({
      store: engines.store,
      hasher,
      clock,
      sessionTtlMs: config.SESSION_TTL_DAYS * DAY_MS,
      channel: userChannel,
      admins,
      registration: config.REGISTRATION,
      sessions,
    }),
    moderation: new Moderation(engines.store, clock, userChannel, admins),
    socketSessions,
    rooms: new Rooms(engines.store, membership, {
      maxRoomsPerUser: limitsOn ? config.MAX_ROOMS_PER_USER : undefined,
      admins,
      onDeleted: async (room) => {
        await chat.roomDeleted(room)
        // The room's files were doomed with it: their bytes go before the answer does.
        await files.collect().catch((error: unknown) => {
          log.warn({ err: error }, 'could not delete the files of a deleted room yet')
        })
      },
    }),
    membership,
    dms: new DirectMessages(engines.store, clock, userChannel),
    chat,
    files,
    search: new Search(engines.store, membership),
    limiter: engines.limiter,
    limits: {
      login: limitsOn
        ? {
            perPair: perMinute(config.LOGIN_ATTEMPTS_PER_MINUTE),
            perIp: perMinute(config.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE),
            perUser: perMinute(config.LOGIN_ATTEMPTS_PER_USER_PER_MINUTE),
            slowdownMs: config.LOGIN_SLOWDOWN_MS,
          }
        : undefined,
      register: limitsOn ? perHour(config.REGISTRATIONS_PER_HOUR) : undefined,
      createRoom: limitsOn ? perHour(config.ROOM_CREATIONS_PER_HOUR) : undefined,
      upload: limitsOn ? perMinute(config.UPLOADS_PER_MINUTE) : undefined,
      search: limitsOn ? perMinute(config.SEARCHES_PER_MINUTE) : undefined,
      maxConnectionsPerUser: limitsOn ? config.MAX_CONNECTIONS_PER_USER : undefined,
      maxPollsPerUser: limitsOn ? config.MAX_POLLS_PER_USER : undefined,
    },
    http: {
      maxFrameBytes: config.MAX_FRAME_BYTES,
      trustProxy: config.TRUST_PROXY,
      sessionTtlMs: config.SESSION_TTL_DAYS * DAY_MS,
      allowedOrigins: allowedOrigins(config),
      headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    },
    sockets: {
      maxBufferedBytes: config.MAX_SOCKET_BUFFER_BYTES,
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      onSlowReaderClosed: () => metrics.slowReaderClosed(),
    },
    movies: upstreams.movies,
    ...(upstreams.previewImages ? { previewImages: upstreams.previewImages } : {}),
    health: () => probeHealth(engines.store, engines.bus),
    metrics: metrics.registry,
  }
  return {
    nodeId,
    engines,
    chat,
    files,
    userChannel,
    socketSessions,
    metrics,
    upstreams,
    transport,
  }
}
