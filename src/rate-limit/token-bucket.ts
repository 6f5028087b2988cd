/** The token-bucket arithmetic shared by the rate limiters (the Redis Lua script mirrors it). */
import type { RateLimitRule } from '../domain/ports.js'

export interface Bucket {
  tokens: number
  updatedAt: number
}

/** Catches rules that could never hand out a token, before they turn into an endless wait. */
export function ruleError(rule: RateLimitRule): RangeError | undefined {
  if (!(rule.capacity >= 1) || !(rule.refillPerSecond > 0)) {
    return new RangeError(
      `rate limit rule needs capacity >= 1 and refillPerSecond > 0, got ${JSON.stringify(rule)}`,
    )
  }
  return undefined
}

/** Refills lazily from the elapsed time, then takes one token; returns 0 or the ms to wait. */
export function takeToken(bucket: Bucket, rule: RateLimitRule, now: number): number {
  // A clock that steps backwards must not mint or destroy tokens.
  const elapsedMs = Math.max(0, now - bucket.updatedAt)
  bucket.tokens = Math.min(rule.capacity, bucket.tokens + (elapsedMs * rule.refillPerSecond) / 1000)
  bucket.updatedAt = Math.max(now, bucket.updatedAt)
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1
    return 0
  }
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / rule.refillPerSecond))
}

/** When the bucket will be full again, i.e. when forgetting it changes nothing. */
export function fullAt(bucket: Bucket, rule: RateLimitRule): number {
  return bucket.updatedAt + ((rule.capacity - bucket.tokens) * 1000) / rule.refillPerSecond
}
