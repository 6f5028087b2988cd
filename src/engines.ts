/** Picks the adapters: SQLite + in-process bus by default; PostgreSQL and Redis when configured. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryBus } from './bus/memory-bus.js'
import { MemoryPresence } from './bus/memory-presence.js'
import { MemoryRateLimiter } from './bus/memory-rate-limiter.js'
import type { Config } from './config.js'
import type { Bus, Clock, PresenceRegistry, RateLimiter, Store } from './domain/ports.js'
import type { Logger } from './log.js'
import { createSqliteStore } from './store/sqlite-store.js'

export interface Engines {
  readonly store: Store
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
  mkdirSync(config.DATA_DIR, { recursive: true })
  const store = await createSqliteStore({ file: join(config.DATA_DIR, 'eddy.sqlite') })
  await store.migrate()
  const bus = new MemoryBus({
    onHandlerError: (error) => log.error({ err: error }, 'bus handler failed'),
  })
  const presence = new MemoryPresence(clock)
  const limiter = new MemoryRateLimiter(clock)
  return {
    store,
    bus,
    presence,
    limiter,
    nodeId,
    async close() {
      await bus.close()
      await presence.close()
      await store.close()
    },
  }
}
