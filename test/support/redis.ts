/** Redis for tests: find the server (required when CI=true), hand out unique key prefixes, clean up. */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'

export interface RedisProbe {
  readonly url: string
  readonly available: boolean
  /** Why the Redis suites are skipped; undefined when they run. */
  readonly skipReason: string | undefined
}

/**
 * Pings TEST_REDIS_URL once. Under CI=true an unreachable Redis throws, failing the test file
 * instead of skipping it: a green CI run must mean the Redis adapters were exercised.
 */
export async function probeRedis(url = TEST_REDIS_URL): Promise<RedisProbe> {
  const error = await ping(url)
  if (!error) return { url, available: true, skipReason: undefined }
  const reason = `Redis unreachable at ${url} (${error}); set TEST_REDIS_URL or start redis-server`
  if (process.env['CI'] === 'true') throw new Error(`CI=true requires Redis: ${reason}`)
  console.warn(`skipping Redis tests: ${reason}`)
  return { url, available: false, skipReason: reason }
}

async function ping(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  // The 'error' event carries the cause (ECONNREFUSED …); the rejection only says "closed".
  let cause: unknown
  redis.on('error', (error: unknown) => {
    cause ??= error
  })
  try {
    await redis.connect()
    await redis.ping()
    return undefined
  } catch (error) {
    const reason = cause ?? error
    return reason instanceof Error ? reason.message : String(reason)
  } finally {
    redis.disconnect()
  }
}

/** A key prefix no other test file or run shares, so files can run in parallel on one Redis. */
export function uniquePrefix(label: string): string {
  return `eddy-test:${label}:${randomBytes(6).toString('hex')}:`
}

/** Deletes every key under `prefix` (SCAN, never KEYS, so a shared server is not blocked). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    await redis.quit()
  }
}

/**
 * Kills server-side connections whose client name ends with `suffix` (the Redis adapters name
 * theirs `eddy-bus-sub:<nodeId>` and so on), as a network fault would; returns how many.
 */
export async function killClients(url: string, suffix: string): Promise<number> {
  const redis = new Redis(url)
  redis.on('error', () => {})
  try {
    const list = String(await redis.client('LIST'))
    const ids = list
      .split('\n')
      .map((line) => /\bid=(\d+) .*\bname=(\S*)/.exec(line))
      .filter((match) => match?.[2]?.endsWith(suffix) === true)
      .map((match) => match?.[1])
      .filter((id): id is string => id !== undefined)
    for (const id of ids) await redis.client('KILL', 'ID', id)
    return ids.length
  } finally {
    await redis.quit()
  }
}
