/**
 * The Eddy nodes under chaos: real server processes on fixed loopback ports, one on SQLite or
 * several on one PostgreSQL schema + Redis prefix, each reaching PostgreSQL and Redis through its
 * own TCP proxy (so a fault can hit one node's links). Cleans up processes, schema and keys.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.js'
import { deleteKeys } from '../../test/support/redis.js'
import { freePort } from '../servers/launch.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Generous: on a loaded machine tsx and migrations can take most of a minute. */
const READY_TIMEOUT_MS = 90_000

/** How nodes are run: the built server (fast start) or the sources through tsx (always current). */
export type NodeEntry = 'dist' | 'tsx'

export interface ClusterTarget {
  readonly pgUrl: string
  readonly redisUrl: string
}

export interface NodeSetOptions {
  readonly count: number
  readonly entry: NodeEntry
  /** Absent: SQLite on a data directory (count must be 1). */
  readonly cluster?: ClusterTarget
  readonly env?: Record<string, string>
}

export interface ChaosNode {
  readonly index: number
  readonly url: string
  readonly wsUrl: string
  /** Absent on SQLite. */
  readonly pgProxy: TcpProxy | undefined
  readonly redisProxy: TcpProxy | undefined
  readonly alive: boolean
  /** The last lines the process wrote, for failure reports. */
  output(): string
}

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

class NodeProcess implements ChaosNode {
  readonly index: number
  readonly url: string
  readonly wsUrl: string
  readonly pgProxy: TcpProxy | undefined
  readonly redisProxy: TcpProxy | undefined
  readonly #env: Record<string, string>
  readonly #entry: NodeEntry
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #tail = ''

  constructor(
    index: number,
    port: number,
    env: Record<string, string>,
    entry: NodeEntry,
    proxies: { pg?: TcpProxy; redis?: TcpProxy },
  ) {
    this.index = index
    this.url = `http://127.0.0.1:${port}`
    this.wsUrl = `ws://127.0.0.1:${port}/chat`
    this.#env = { ...env, PORT: String(port) }
    this.#entry = entry
    this.pgProxy = proxies.pg
    this.redisProxy = proxies.redis
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && !this.#child.signalCode
  }

  output(): string {
    return this.#tail
  }

  async start(): Promise<void> {
    const args = this.#entry === 'dist' ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts']
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.#env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.add(child)
    this.#child = child
    const keep = (chunk: Buffer): void => {
      this.#tail = (this.#tail + chunk.toString()).slice(-4_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        children.delete(child)
        resolve()
      }),
    )
    const deadline = performance.now() + READY_TIMEOUT_MS
    // Any answer from /healthz means it listens (503 while a dependency is down is still up).
    for (;;) {
      if (!this.alive) throw new Error(`node ${this.index} exited at start:\n${this.#tail}`)
      const answered = await fetch(`${this.url}/healthz`).then(
        async (r) => (await r.arrayBuffer(), true),
        () => false,
      )
      if (answered) return
      if (performance.now() > deadline)
        throw new Error(`node ${this.index} not ready:\n${this.#tail}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** kill -9: no drain, no goodbye; the next start reuses the same port, data directory or schema. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.#child?.kill(signal)
    await this.#exited
  }
}

export interface NodeSet {
  readonly nodes: readonly ChaosNode[]
  /** The PostgreSQL schema, for terminating this run's backends only. */
  readonly schema: string | undefined
  kill9(index: number): Promise<void>
  restart(index: number): Promise<void>
  close(): Promise<void>
}

export async function startNodes(options: NodeSetOptions): Promise<NodeSet> {
  const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const schema = options.cluster ? `eddy_chaos_${tag}` : undefined
  const prefix = `eddy-chaos:${tag}:`
  const dataDirs: string[] = []
  const nodes: NodeProcess[] = []
  for (let i = 0; i < options.count; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'eddy-chaos-'))
    dataDirs.push(dataDir)
    const env: Record<string, string> = {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      NODE_ID: `chaos-${i}`,
      RATE_LIMITS: 'off',
      LINK_PREVIEWS: 'off',
      ...options.env,
    }
    const proxies: { pg?: TcpProxy; redis?: TcpProxy } = {}
    if (options.cluster && schema) {
      const pgTarget = new URL(options.cluster.pgUrl)
      const redisTarget = new URL(options.cluster.redisUrl)
      proxies.pg = await startTcpProxy(Number(pgTarget.port || 5432), pgTarget.hostname)
      proxies.redis = await startTcpProxy(Number(redisTarget.port || 6379), redisTarget.hostname)
      pgTarget.host = `127.0.0.1:${proxies.pg.port}`
      redisTarget.host = `127.0.0.1:${proxies.redis.port}`
      Object.assign(env, {
        DATABASE_URL: pgTarget.toString(),
        PG_SCHEMA: schema,
        PG_POOL_MAX: '4',
        REDIS_URL: redisTarget.toString(),
        REDIS_PREFIX: prefix,
      })
    }
    nodes.push(new NodeProcess(i, await freePort(), env, options.entry, proxies))
  }

  const set: NodeSet = {
    nodes,
    schema,
    kill9: (index) => nodeAt(nodes, index).kill('SIGKILL'),
    restart: (index) => nodeAt(nodes, index).start(),
    async close() {
      await Promise.all(nodes.map((n) => n.kill('SIGKILL')))
      for (const n of nodes) {
        await n.pgProxy?.close()
        await n.redisProxy?.close()
      }
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
      if (options.cluster && schema) {
        await deleteKeys(options.cluster.redisUrl, prefix)
        const admin = new pg.Client({ connectionString: options.cluster.pgUrl })
        await admin.connect()
        await admin.query(`drop schema if exists ${schema} cascade`)
        await admin.end()
      }
    },
  }
  try {
    // The first node migrates alone, then the rest start together.
    await nodeAt(nodes, 0).start()
    await Promise.all(nodes.slice(1).map((n) => n.start()))
  } catch (error) {
    await set.close()
    throw error
  }
  return set
}

function nodeAt(nodes: readonly NodeProcess[], index: number): NodeProcess {
  const node = nodes[index]
  if (!node) throw new Error(`no node ${index}`)
  return node
}
