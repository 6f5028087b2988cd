/** Several real Eddy processes on one PostgreSQL schema and one Redis prefix, cleaned up afterwards. */
import pg from 'pg'
import { PG_URL, postgresUnavailable } from '../contract/store-factories.js'
import { onTestFinished } from 'vitest'
import { deleteKeys, probeRedis, TEST_REDIS_URL, uniquePrefix } from './redis.js'
import { freePort, freshDataDir, spawnServer, type ChildServer } from './start-server.js'

export const TEST_PG_URL = PG_URL

/** undefined when PostgreSQL and Redis both answer; else why the scale-out tests are skipped (never under CI). */
export async function scaleOutUnavailable(): Promise<string | undefined> {
  const redis = await probeRedis()
  return redis.available ? postgresUnavailable() : redis.skipReason
}

export interface Cluster {
  readonly nodes: ChildServer[]
  readonly env: Record<string, string>
  /** Starts (or restarts) node i on its own port. */
  start(index: number, extraEnv?: Record<string, string>): Promise<ChildServer>
}

export async function startCluster(
  count: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const schema = `eddy_scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const prefix = uniquePrefix('scale')
  const shared: Record<string, string> = {
    DATABASE_URL: TEST_PG_URL,
    PG_SCHEMA: schema,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    RATE_LIMITS: 'off',
    PG_POOL_MAX: '4',
    ...env,
  }
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()))
  const nodes: ChildServer[] = []
  const cluster: Cluster = {
    nodes,
    env: shared,
    async start(index, extraEnv = {}) {
      const node = await spawnServer({
        ...shared,
        ...extraEnv,
        PORT: String(ports[index]),
        DATA_DIR: freshDataDir(),
        NODE_ID: `node-${index}`,
      })
      nodes[index] = node
      return node
    },
  }
  onTestFinished(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')))
    await deleteKeys(TEST_REDIS_URL, prefix)
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  })
  // The first node migrates alone, then the rest start together (migrations are locked anyway).
  await cluster.start(0)
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => cluster.start(i + 1)))
  return cluster
}
