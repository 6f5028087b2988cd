/**
 * What the transports receive from the composition root: the domain services and the settings
 * they use, already shaped. Never the raw Config, Store or Bus: storage and fan-out are reached
 * only through the domain (ESLint forbids transports to import store/, bus/ and the engines).
 */
import type { Registry } from 'prom-client'
import type { Accounts } from '../domain/accounts.js'
import type { ChatService } from '../domain/chat-service.js'
import type { DirectMessages } from '../domain/direct-messages.js'
import type { Files } from '../domain/files.js'
import type { HealthReport } from '../domain/health.js'
import type { Membership } from '../domain/membership.js'
import type { Moderation } from '../domain/moderation.js'
import type { Clock, RateLimiter, RateLimitRule } from '../domain/ports.js'
import type { Rooms } from '../domain/rooms.js'
import type { Search } from '../domain/search.js'
import type { SocketSessions } from '../domain/socket-sessions.js'
import type { Logger } from '../log.js'

/**
 * Login throttles (docs/security.md): a (username, address) pair and an address are refused past
 * their rule; a username as a whole only slows down, so strangers cannot lock its owner out.
 */
export interface LoginLimits {
  readonly perPair: RateLimitRule
  readonly perIp: RateLimitRule
  readonly perUser: RateLimitRule
  /** How long an attempt over `perUser` is held before it is answered. */
  readonly slowdownMs: number
}

/** Throttles and caps at the edge; undefined: off (RATE_LIMITS=off, benchmarks only). */
export interface EdgeLimits {
  readonly login: LoginLimits | undefined
  readonly register: RateLimitRule | undefined
  readonly createRoom: RateLimitRule | undefined
  /** Per user, across nodes. */
  readonly upload: RateLimitRule | undefined
  /** Per user, across nodes. */
  readonly search: RateLimitRule | undefined
  /** Per node. */
  readonly maxConnectionsPerUser: number | undefined
  /** Per node. */
  readonly maxPollsPerUser: number | undefined
}

export interface HttpSettings {
  /** Largest HTTP body and WebSocket frame. */
  readonly maxFrameBytes: number
  readonly trustProxy: boolean
  /** How long the session cookie lives. */
  readonly sessionTtlMs: number
  /** Origins besides the server's own that may open /chat and post with a cookie. */
  readonly allowedOrigins: readonly string[]
  /** Incomplete request headers after this long are answered 408 and the connection closed. */
  readonly headersTimeoutMs: number
}

export interface SocketSettings {
  /** A reader with more unread bytes than this is closed with 1013. */
  readonly maxBufferedBytes: number
  readonly heartbeatIntervalMs: number
  /** Told each time a reader is closed with 1013 (a metric for operators). */
  readonly onSlowReaderClosed?: () => void
}

/** The tutorial's hot-movies list; absent when not configured (answers 502). */
export interface MoviesSource {
  get(): Promise<unknown>
}

/** Preview images fetched by the server (upstream/preview-images.ts); rejects when not an image. */
export interface PreviewImageSource {
  fetch(url: string): Promise<{ readonly type: string; readonly bytes: Uint8Array }>
}

export interface TransportContext {
  readonly log: Logger
  readonly clock: Clock
  readonly accounts: Accounts
  readonly rooms: Rooms
  readonly membership: Membership
  readonly dms: DirectMessages
  readonly chat: ChatService
  readonly files: Files
  readonly search: Search
  readonly moderation: Moderation
  /** Each WebSocket is attached here, so it closes when its session ends. */
  readonly socketSessions: SocketSessions
  readonly limiter: RateLimiter
  readonly limits: EdgeLimits
  readonly http: HttpSettings
  readonly sockets: SocketSettings
  readonly movies?: MoviesSource
  /** Absent when link previews are off (the image route answers 404). */
  readonly previewImages?: PreviewImageSource
  readonly health: () => Promise<HealthReport>
  /** Served at /metrics; absent: no /metrics route. */
  readonly metrics?: Registry
}
