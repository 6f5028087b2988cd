/** RateLimiter across nodes: the token bucket of token-bucket.ts as one Lua call per take. */
import type { Redis } from 'ioredis'
import type { Clock, RateLimitRule, RateLimiter } from '../domain/ports.js'
import {
  closeRedis,
  connectRedis,
  defaultReporter,
  type ErrorReporter,
} from '../redis/redis-connection.js'
import { lua, runScript } from '../redis/redis-script.js'
import { ruleError } from './token-bucket.js'

/**
 * KEYS: bucket hash. ARGV: capacity, refillPerSecond, now. → 0 or ms until a token is free.
 * The key expires once the bucket would be full again, so idle keys cost nothing.
 */
const TAKE = lua(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate / 1000)
updated = math.max(now, updated)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'updated', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
return wait
`)

export interface RedisRateLimiterOptions {
  readonly url: string
  readonly prefix: string
  readonly clock: Clock
  /** Longest a take waits on a hung or unreachable Redis before rejecting. */
  readonly commandTimeoutMs?: number
  readonly onError?: ErrorReporter
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  return new RedisRateLimiter(options)
}

/** take rejects while Redis is unreachable: whether to fail open is the caller's policy. */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #clock: Clock

  constructor(options: RedisRateLimiterOptions) {
    this.#prefix = options.prefix
    this.#clock = options.clock
    this.#redis = connectRedis({
      url: options.url,
      name: 'eddy-rate-limit',
      onError: options.onError ?? defaultReporter,
      extra: { maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs ?? 1_000 },
    })
  }

  async take(key: string, rule: RateLimitRule): Promise<number> {
    const invalid = ruleError(rule)
    if (invalid) throw invalid
    const wait = await runScript(
      this.#redis,
      TAKE,
      [`${this.#prefix}rate:${key}`],
      [rule.capacity, rule.refillPerSecond, this.#clock.now()],
    )
    if (typeof wait !== 'number') throw new TypeError(`rate limit script answered ${String(wait)}`)
    return wait
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis)
  }
}
