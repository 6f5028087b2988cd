/** Several real Eddy processes on one PostgreSQL schema and one Redis prefix, cleaned up afterwards. */
import pg from 'pg'
import { onTestFinished } from 'vitest'
import { deleteKeys, probeRedis, TEST_REDIS_URL, uniquePrefix } from './redis.js'
import { freePort, freshDataDir, spawnServer, type ChildServer } from './start-server.js'

export const TEST_PG_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** undefined when PostgreSQL and Redis both answer; else why the scale-out tests are skipped (never under CI). */
export async function scaleOutUnavailable(): Promise<string | undefined> {
  const redis = await probeRedis()
  if (!redis.available) return redis.skipReason
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.end()
    return undefined
  } catch (error) {
    const reason = `PostgreSQL unreachable at ${TEST_PG_URL} (${String(error)})`
    if (process.env['CI'] === 'true') throw new Error(`CI=true requires PostgreSQL: ${reason}`)
    console.warn(`skipping scale-out tests: ${reason}`)
    return reason
  }
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
