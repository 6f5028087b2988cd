/** In-process RateLimiter: one lazily refilled token bucket per key, memory bounded by maxKeys. */
import type { Clock, RateLimitRule, RateLimiter } from '../domain/ports.js'
import { ruleError, fullAt, takeToken, type Bucket } from './token-bucket.js'

interface Entry extends Bucket {
  fullAt: number
}

export interface MemoryRateLimiterOptions {
  /** Past this many keys, full buckets are forgotten, then the least recently used. */
  readonly maxKeys?: number
}

export class MemoryRateLimiter implements RateLimiter {
  // Map keeps insertion order; re-inserting on every take makes the first key the least recent.
  readonly #buckets = new Map<string, Entry>()
  readonly #maxKeys: number
  readonly #clock: Clock

  constructor(clock: Clock, options: MemoryRateLimiterOptions = {}) {
    this.#clock = clock
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  take(key: string, rule: RateLimitRule): Promise<number> {
    const invalid = ruleError(rule)
    if (invalid) return Promise.reject(invalid)
    const now = this.#clock.now()
    const entry = this.#buckets.get(key) ?? { tokens: rule.capacity, updatedAt: now, fullAt: now }
    this.#buckets.delete(key)
    const waitMs = takeToken(entry, rule, now)
    entry.fullAt = fullAt(entry, rule)
    this.#buckets.set(key, entry)
    if (this.#buckets.size > this.#maxKeys) this.#evict(now)
    return Promise.resolve(waitMs)
  }

  /** How many keys are held; for tests and metrics. */
  size(): number {
    return this.#buckets.size
  }

  // Forgetting a full bucket is free (a new one starts full). Only when that is not enough do
  // we drop the least recently used, which may forgive a client a little under memory pressure.
  #evict(now: number): void {
    for (const [key, entry] of this.#buckets) {
      if (entry.fullAt <= now) this.#buckets.delete(key)
    }
    const target = Math.floor(this.#maxKeys * 0.9)
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break
      this.#buckets.delete(key)
    }
  }
}

export function createMemoryRateLimiter(
  clock: Clock,
  options: MemoryRateLimiterOptions = {},
): MemoryRateLimiter {
  return new MemoryRateLimiter(clock, options)
}
