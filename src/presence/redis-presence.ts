/** PresenceRegistry across nodes on Redis; the atomic parts are Lua (redis-presence-scripts.ts). */
import type { Redis } from 'ioredis'
import type { Clock, PresenceEntry, PresenceRegistry } from '../domain/ports.js'
import {
  closeRedis,
  connectRedis,
  defaultReporter,
  type ErrorReporter,
} from '../redis/redis-connection.js'
import { ADD, REFRESH, REMOVE, SWEEP_ROOM } from './redis-presence-scripts.js'
import { runScript } from '../redis/redis-script.js'

export interface RedisPresenceOptions {
  readonly url: string
  readonly prefix: string
  /** Every node must use the same notion of time; expiry is compared to clock.now(). */
  readonly clock: Clock
  /** Longest a call waits on a hung or unreachable Redis before rejecting. */
  readonly commandTimeoutMs?: number
  readonly onError?: ErrorReporter
}

export function createRedisPresence(options: RedisPresenceOptions): RedisPresence {
  return new RedisPresence(options)
}

export class RedisPresence implements PresenceRegistry {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #clock: Clock

  constructor(options: RedisPresenceOptions) {
    this.#prefix = options.prefix
    this.#clock = options.clock
    this.#redis = connectRedis({
      url: options.url,
      name: 'eddy-presence',
      onError: options.onError ?? defaultReporter,
      // Joins that arrive together (a reconnect storm) send their ADD scripts in one write.
      extra: {
        maxRetriesPerRequest: 1,
        commandTimeout: options.commandTimeoutMs ?? 2_000,
        enableAutoPipelining: true,
      },
    })
  }

  async add(entry: PresenceEntry, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now()
    const result = await runScript(this.#redis, ADD, this.#keys(entry), [
      entry.user,
      entry.connectionId,
      now,
      now + ttlMs,
      entry.room,
    ])
    return result === 1
  }

  async remove(entry: PresenceEntry): Promise<boolean> {
    const result = await runScript(this.#redis, REMOVE, this.#keys(entry), [
      entry.user,
      entry.connectionId,
      this.#clock.now(),
      entry.room,
    ])
    return result === 1
  }

  async refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<void> {
    const expiresAt = this.#clock.now() + ttlMs
    // Sent together: ioredis pipelines commands issued in the same tick.
    await Promise.all(
      entries.map((entry) =>
        runScript(this.#redis, REFRESH, this.#keys(entry), [
          entry.user,
          entry.connectionId,
          expiresAt,
          entry.room,
        ]),
      ),
    )
  }

  async online(room: string): Promise<string[]> {
    const users = await this.#redis.zrangebyscore(
      this.#roomKey(room),
      `(${this.#clock.now()}`,
      '+inf',
    )
    return users.sort()
  }

  async sweep(): Promise<Array<{ room: string; user: string }>> {
    const now = this.#clock.now()
    const rooms = await this.#redis.smembers(this.#roomsKey())
    const swept = await Promise.all(
      rooms.map(async (room) => {
        const gone = await runScript(
          this.#redis,
          SWEEP_ROOM,
          [this.#roomKey(room), this.#roomsKey()],
          [now, `${this.#roomKey(room)}\u0000`, room],
        )
        return stringArray(gone).map((user) => ({ room, user }))
      }),
    )
    return swept.flat()
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis)
  }

  #roomsKey(): string {
    return `${this.#prefix}presence-rooms`
  }

  #roomKey(room: string): string {
    return `${this.#prefix}presence:${room}`
  }

  // NUL cannot occur in room names or usernames (protocol/names.ts), so keys cannot collide.
  #keys(entry: PresenceEntry): [string, string, string] {
    const room = this.#roomKey(entry.room)
    return [room, `${room}\u0000${entry.user}`, this.#roomsKey()]
  }
}

function stringArray(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`presence sweep: expected a list of users, got ${JSON.stringify(value)}`)
  }
  return value
}
