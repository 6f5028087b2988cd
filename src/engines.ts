/** Picks the adapters: SQLite + in-process bus by default; PostgreSQL and Redis when configured. */
import { accessSync, constants, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createMemoryBus } from './bus/memory-bus.js'
import { createMemoryPresence } from './presence/memory-presence.js'
import { createMemoryRateLimiter } from './rate-limit/memory-rate-limiter.js'
import { createDiskBlobStore } from './blobs/disk-blob-store.js'
import type { Config } from './config.js'
import type { BlobStore } from './domain/blob-store.js'
import type { Bus, Clock, PresenceRegistry, RateLimiter, Store } from './domain/ports.js'
import type { Logger } from './log.js'
import { redactUrl, rootCause, StartupError } from './startup-error.js'

export interface Engines {
  readonly store: Store
  /** Uploaded files' bytes: on disk under DATA_DIR with SQLite, in PostgreSQL with it. */
  readonly blobs: BlobStore
  readonly bus: Bus
  readonly presence: PresenceRegistry
  readonly limiter: RateLimiter
  readonly nodeId: string
  close(): Promise<void>
}

export async function createEngines(
  config: Config,
  clock: Clock,
  log: Logger,
  nodeId: string,
): Promise<Engines> {
  const store = await openStore(config, log)
  const blobs = await openBlobs(config, log).catch(async (error: unknown) => {
    await store.close().catch(() => undefined)
    throw error
  })
  if (!config.REDIS_URL) {
    const bus = createMemoryBus({
      onHandlerError: (error) => log.error({ err: error }, 'bus handler failed'),
    })
    const presence = createMemoryPresence(clock)
    return {
      store,
      blobs,
      bus,
      presence,
      limiter: createMemoryRateLimiter(clock),
      nodeId,
      async close() {
        await bus.close()
        await presence.close()
        await blobs.close()
        await store.close()
      },
    }
  }
  const redis = { url: config.REDIS_URL, prefix: config.REDIS_PREFIX }
  const onError = (error: unknown, context: string): void => {
    log.warn({ err: error, context }, 'redis problem')
  }
  // Loaded only when configured: the Redis client alone is a quarter of a node's start-up time.
  const [{ createRedisBus }, { createRedisPresence }, { createRedisRateLimiter }] =
    await Promise.all([
      import('./bus/redis-bus.js'),
      import('./presence/redis-presence.js'),
      import('./rate-limit/redis-rate-limiter.js'),
    ])
  const bus = createRedisBus({ ...redis, nodeId, onError })
  const presence = createRedisPresence({ ...redis, clock, onError })
  const limiter = createRedisRateLimiter({ ...redis, clock, onError })
  return {
    store,
    blobs,
    bus,
    presence,
    limiter,
    nodeId,
    async close() {
      await Promise.all([bus.close(), presence.close(), limiter.close()])
      await blobs.close()
      await store.close()
    },
  }
}

/** Opens and migrates the store; what the operator must fix fails as a one-line StartupError. */
async function openStore(config: Config, log: Logger): Promise<Store> {
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL
    const { createPostgresStore } = await import('./store/postgres-store.js')
    const store = await createPostgresStore({
      url,
      poolMax: config.PG_POOL_MAX,
      ...(config.PG_SCHEMA ? { schema: config.PG_SCHEMA } : {}),
      onConnectionError: (error) => log.warn({ err: error }, 'postgres connection lost'),
      onSearchIndexError: (error) => log.warn({ err: error }, 'search indexing round failed'),
    })
    return migrated(
      store,
      (cause) =>
        `cannot use PostgreSQL at ${redactUrl(url)} (${cause}); check DATABASE_URL, or unset it to keep data in SQLite under DATA_DIR`,
    )
  }
  const dir = resolve(config.DATA_DIR)
  const fix = `set DATA_DIR to a directory this user can write (now ${dir})`
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (error) {
    throw new StartupError(`cannot use DATA_DIR (${rootCause(error)}); ${fix}`, { cause: error })
  }
  const file = join(dir, 'eddy.sqlite')
  const { createSqliteStore } = await import('./store/sqlite-store.js')
  const store = await createSqliteStore({
    file,
    searchPurgeDelayMs: config.SEARCH_PURGE_DELAY_MS,
  }).catch((error: unknown) => {
    throw new StartupError(`cannot open ${file} (${rootCause(error)}); ${fix}`, { cause: error })
  })
  return migrated(store, (cause) => `cannot write ${file} (${cause}); ${fix}`)
}

/** The blob store that goes with the store's engine; its tables come from the store's migrations. */
async function openBlobs(config: Config, log: Logger): Promise<BlobStore> {
  if (config.DATABASE_URL) {
    const { createPostgresBlobStore } = await import('./blobs/postgres-blob-store.js')
    return createPostgresBlobStore({
      url: config.DATABASE_URL,
      // Uploads and downloads hold a connection only per chunk; a few serve many transfers.
      poolMax: Math.min(4, config.PG_POOL_MAX),
      ...(config.PG_SCHEMA ? { schema: config.PG_SCHEMA } : {}),
      onConnectionError: (error) => log.warn({ err: error }, 'postgres connection lost (files)'),
    })
  }
  const dir = join(resolve(config.DATA_DIR), 'files')
  return createDiskBlobStore({ dir }).catch((error: unknown) => {
    throw new StartupError(
      `cannot use ${dir} for uploaded files (${rootCause(error)}); set DATA_DIR to a directory this user can write`,
      { cause: error },
    )
  })
}

async function migrated(store: Store, describe: (cause: string) => string): Promise<Store> {
  try {
    await store.migrate()
    return store
  } catch (error) {
    await store.close().catch(() => undefined)
    throw new StartupError(describe(rootCause(error)), { cause: error })
  }
}
