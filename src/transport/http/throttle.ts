/** Takes a token from the RateLimiter port at the edge: refuses with 429, or fails open when down. */
import { ChatError } from '../../domain/errors.js'
import type { RateLimitRule } from '../../domain/ports.js'
import type { TransportContext } from '../context.js'

/**
 * 0 when allowed (or when the limiter cannot be reached: a shared limiter that is down must not
 * stop sign-ins, so it fails open with a warning), else the ms until a token is free.
 */
export async function waitFor(
  ctx: TransportContext,
  key: string,
  rule: RateLimitRule,
): Promise<number> {
  try {
    return await ctx.limiter.take(key, rule)
  } catch (error) {
    ctx.log.warn({ err: error, key }, 'rate limiter unavailable; allowing the request')
    return 0
  }
}

/** Refuses with 429 rate_limited (and Retry-After) past the rule; undefined rule: no limit. */
export async function throttle(
  ctx: TransportContext,
  key: string,
  rule: RateLimitRule | undefined,
): Promise<void> {
  if (!rule) return
  const waitMs = await waitFor(ctx, key, rule)
  if (waitMs > 0) throw new ChatError('rate_limited', undefined, { retryAfterMs: waitMs })
}
