/** What the transports need from the composition root: domain services and a few settings. */
import type { Config } from '../config.js'
import type { Accounts } from '../domain/accounts.js'
import type { ChatService } from '../domain/chat-service.js'
import type { Bus, Clock, RateLimiter, RateLimitRule, Store } from '../domain/ports.js'
import type { Rooms } from '../domain/rooms.js'
import type { Logger } from '../log.js'

export interface HttpLimits {
  readonly login: RateLimitRule | undefined
  readonly register: RateLimitRule | undefined
  readonly maxConnectionsPerUser: number | undefined
}

/** Optional upstream features; absent ones answer 503. */
export interface Upstreams {
  readonly movies?: { get(): Promise<unknown> }
}

export interface AppContext {
  readonly config: Config
  readonly log: Logger
  readonly clock: Clock
  readonly accounts: Accounts
  readonly rooms: Rooms
  readonly chat: ChatService
  readonly limiter: RateLimiter
  readonly limits: HttpLimits
  readonly store: Store
  readonly bus: Bus
  readonly allowedOrigins: readonly string[]
  readonly upstreams: Upstreams
}
