/** Reconnect delays: exponential with full jitter, so a restarted server is not hit by every tab at once. */
export interface BackoffOptions {
  readonly baseMs: number
  readonly maxMs: number
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 300, maxMs: 10_000 }

/**
 * Delay before attempt number `attempt` (0 for the first retry). Full jitter
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/) with a floor of
 * half the base, so a retry never fires in the same tick.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions = RECONNECT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 20))
  return Math.round(options.baseMs / 2 + random() * (ceiling - options.baseMs / 2))
}
