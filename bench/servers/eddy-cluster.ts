/**
 * Several Eddy nodes under test (`node dist/main.js` each, as bench/servers/eddy.ts starts one) on
 * PostgreSQL and Redis: a fresh PG_SCHEMA and REDIS_PREFIX per cluster, both removed at stop().
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'
import { createRoom, eddyEntry, registerUsers } from './eddy.js'
import { freshDataDir, launch, type ServerUnderTest } from './launch.js'

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test'
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

const DELETE_PREFIXED =
  "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end"

export interface EddyCluster {
  readonly nodes: readonly ServerUnderTest[]
  readonly tokens: readonly string[]
  readonly schema: string
  readonly prefix: string
  /** This cluster's PostgreSQL backends right now (their pids, found by the nodes' TCP ports). */
  pgBackendPids(): Promise<number[]>
  stop(): Promise<void>
}

export async function launchEddyCluster(options: {
  nodes: number
  users: number
  rooms: readonly string[]
  pgUrl?: string
  redisUrl?: string
  env?: Record<string, string>
  /** Node flags before the script (a CPU profile). */
  nodeArgs?: readonly string[]
}): Promise<EddyCluster> {
  const pgUrl = options.pgUrl ?? DEFAULT_PG_URL
  const redisUrl = options.redisUrl ?? DEFAULT_REDIS_URL
  const tag = randomBytes(4).toString('hex')
  const schema = `eddy_c100k_${tag}`
  const prefix = `eddy-c100k:${tag}:`
  const nodes: ServerUnderTest[] = []
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  // Ctrl-C or a time cap ends the bench with process.exit (launch.ts), past every finally: the
  // schema and keys then go synchronously, by the command-line clients.
  const onExit = () => {
    spawnSync('psql', [pgUrl, '-qc', `drop schema if exists ${schema} cascade`], {
      stdio: 'ignore',
    })
    // KEYS in a script: the per-user keys hold a NUL, which a shell pipe would mangle.
    spawnSync('redis-cli', ['-u', redisUrl, 'EVAL', DELETE_PREFIXED, '0', `${prefix}*`], {
      stdio: 'ignore',
    })
  }
  process.once('exit', onExit)
  const cleanup = async () => {
    process.removeListener('exit', onExit)
    for (const node of nodes) await node.stop()
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => {})
    await admin.end().catch(() => {})
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 })
    try {
      await redis.connect()
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        if (keys.length > 0) await redis.del(...keys)
        cursor = next
      } while (cursor !== '0')
    } catch {
      // best effort: keys under a random prefix harm nobody
    } finally {
      redis.disconnect()
    }
  }
  const start = async (index: number) => {
    const dataDir = freshDataDir()
    const node = await launch({
      kind: 'eddy',
      nodeArgs: [...(options.nodeArgs ?? []), eddyEntry()],
      env: {
        DATA_DIR: dataDir,
        DATABASE_URL: pgUrl,
        PG_SCHEMA: schema,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        NODE_ID: `c100k-${tag}-${index}`,
        RATE_LIMITS: 'off',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      tmpDir: dataDir,
      readyTimeoutMs: 60_000,
    })
    nodes.push(node)
    return node
  }
  try {
    // The first node creates the schema; the others start on it together.
    await start(0)
    await Promise.all(Array.from({ length: options.nodes - 1 }, (_, i) => start(i + 1)))
    nodes.sort((a, b) => a.port - b.port)
    // Argon2 per registration: spread over the nodes, each hashes on its own threads.
    const shares = Array.from(
      { length: nodes.length },
      (_, i) =>
        Math.floor(options.users / nodes.length) + (i < options.users % nodes.length ? 1 : 0),
    )
    let first = 0
    const batches = await Promise.all(
      nodes.map((node, i) => {
        const from = first
        first += shares[i]!
        return registerUsers(node.httpUrl, shares[i]!, from)
      }),
    )
    const tokens = batches.flat()
    for (const room of options.rooms) await createRoom(nodes[0]!.httpUrl, tokens[0]!, room)
    const nodePids = new Set(nodes.map((n) => n.pid))
    return {
      nodes,
      tokens,
      schema,
      prefix,
      async pgBackendPids() {
        const clientPorts = nodeConnectionsTo(5432, nodePids)
        if (clientPorts.length === 0) return []
        const { rows } = await admin.query<{ pid: number }>(
          'select pid from pg_stat_activity where client_port = any($1::int[])',
          [clientPorts],
        )
        return rows.map((r) => r.pid)
      },
      stop: cleanup,
    }
  } catch (error) {
    await cleanup()
    throw error
  }
}

/** Local ports of the established TCP connections that processes `pids` hold to `port`. */
function nodeConnectionsTo(port: number, pids: ReadonlySet<number>): number[] {
  const out = spawnSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
  })
  const ports: number[] = []
  for (const line of out.stdout.split('\n')) {
    const pid = /pid=(\d+)/.exec(line)
    if (!pid || !pids.has(Number(pid[1]))) continue
    // Recv-Q Send-Q Local:Port Peer:Port Process
    const local = line.trim().split(/\s+/)[2] ?? ''
    const localPort = Number(local.slice(local.lastIndexOf(':') + 1))
    if (Number.isInteger(localPort)) ports.push(localPort)
  }
  return ports
}
