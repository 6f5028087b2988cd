/** Builds the ioredis connections the Redis adapters use, with bounded waits on a dead server. */
import { Redis } from 'ioredis'

export type ErrorReporter = (error: unknown, context: string) => void

export const defaultReporter: ErrorReporter = (error, context) => {
  console.warn(`redis: ${context}:`, error instanceof Error ? error.message : error)
}

export interface ConnectionOptions {
  readonly url: string
  readonly name: string
  readonly onError: ErrorReporter
  readonly extra?: ExtraOptions
}

/** The few ioredis settings the adapters tune: the defaults queue commands for as long as Redis is down and retry each one 20 times. */
export interface ExtraOptions {
  readonly enableOfflineQueue?: boolean
  readonly maxRetriesPerRequest?: number | null
  readonly commandTimeout?: number
  /** Commands issued in one event-loop turn go out in one write. */
  readonly enableAutoPipelining?: boolean
}

/**
 * ioredis emits 'error' on every failed reconnect attempt; report only the first of each outage
 * so a Redis that stays down for an hour does not flood the log.
 */
export function connectRedis({ url, name, onError, extra }: ConnectionOptions): Redis {
  // CLIENT SETNAME refuses spaces and newlines; a node id is free-form.
  const connectionName = name.replace(/\s/g, '_')
  const redis = new Redis(url, { connectionName, connectTimeout: 2_000, ...extra })
  let reported = false
  redis.on('error', (error: unknown) => {
    if (!reported) onError(error, `${name} connection`)
    reported = true
  })
  redis.on('ready', () => {
    reported = false
  })
  return redis
}

/** Resolves once the connection is ready, rejects after `timeoutMs` (startup and tests). */
export function whenReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${redis.status})`))
    }, timeoutMs)
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    redis.once('ready', onReady)
  })
}

/** quit() waits for a reply that never comes from a dead server, so fall back to disconnect(). */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return
  if (redis.status !== 'ready') {
    redis.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs)
  })
  try {
    await Promise.race([redis.quit().then(() => undefined), timeout])
  } catch {
    // The connection died while quitting: disconnect below is all that is left to do.
  } finally {
    clearTimeout(timer)
    redis.disconnect()
  }
}
