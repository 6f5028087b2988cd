/**
 * Scale-out figures for issue #5: deliveries/s through one room with 1, 2 and 3 nodes on
 * PostgreSQL + Redis (clients spread round-robin over the nodes), and how long a SIGKILLed node's
 * clients take to be caught up on another node. Loopback only, bounded in time.
 *   npx tsx bench/cluster-scale.ts [--nodes 1,2,3] [--clients 300] [--seconds 8]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { Redis } from 'ioredis'
import WebSocket from 'ws'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,3' },
    clients: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '8' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
})
const PG_URL = values['pg-url']
const REDIS_URL = values['redis-url']
const CLIENTS = Number(values.clients)
const SECONDS = Number(values.seconds)
const SENDERS = 10
const WINDOW = 16
const BASE_PORT = 18100

interface Node {
  readonly url: string
  readonly ws: string
  readonly child: ChildProcess
}

async function startNode(index: number, env: Record<string, string>): Promise<Node> {
  const port = BASE_PORT + index
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      NODE_ID: `bench-${index}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'eddy-bench-')),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok)
        return { url, ws: `ws://127.0.0.1:${port}/chat`, child }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`node ${index} did not start`)
}

async function register(url: string, count: number): Promise<string[]> {
  const tokens: string[] = []
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
        const res = await fetch(`${url}/api/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            username: `b${randomBytes(5).toString('hex')}${i + j}`,
            password: 'benchmark-pass',
          }),
        })
        return ((await res.json()) as { token: string }).token
      }),
    )
    tokens.push(...batch)
  }
  return tokens
}

interface Client {
  socket: WebSocket
  lastSeq: number
  received: number
  onFrame?: (frame: { type: string; seq?: number; cid?: string; text?: string }) => void
}

function connect(wsUrl: string, token: string, since?: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } })
    const client: Client = { socket, lastSeq: since ?? 0, received: 0 }
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as {
        type: string
        seq?: number
        cid?: string
      }
      if (frame.type === 'joined' && since === undefined) client.lastSeq = frame.seq ?? 0
      if (frame.type === 'joined') resolve(client)
      if (frame.type === 'message' && frame.seq !== undefined) {
        if (frame.seq !== client.lastSeq + 1)
          throw new Error(`gap or duplicate: ${client.lastSeq} → ${frame.seq}`)
        client.lastSeq = frame.seq
        client.received++
      }
      client.onFrame?.(frame)
    })
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'join', room: 'lobby', ...(since === undefined ? {} : { since }) }),
      ),
    )
    socket.once('error', reject)
  })
}

/** Closed-loop senders (WINDOW unacked each) for `seconds`; returns sent count. */
async function drive(senders: Client[], seconds: number): Promise<number> {
  let sent = 0
  const until = Date.now() + seconds * 1000
  await Promise.all(
    senders.map(
      (s, k) =>
        new Promise<void>((resolve) => {
          let inFlight = 0
          let n = 0
          const pump = (): void => {
            while (inFlight < WINDOW && Date.now() < until) {
              inFlight++
              sent++
              s.socket.send(
                JSON.stringify({
                  type: 'send',
                  room: 'lobby',
                  text: `x${Date.now()}`,
                  cid: `${k}-${n++}-${Math.random()}`,
                }),
              )
            }
            if (inFlight === 0 && Date.now() >= until) resolve()
          }
          s.onFrame = (f) => {
            if (f.type === 'ack' || f.type === 'error') {
              inFlight--
              pump()
            }
          }
          pump()
        }),
    ),
  )
  return sent
}

async function withCluster<T>(count: number, run: (nodes: Node[]) => Promise<T>): Promise<T> {
  const schema = `eddy_bench_${randomBytes(4).toString('hex')}`
  const prefix = `eddy-bench:${randomBytes(4).toString('hex')}:`
  const env = {
    DATABASE_URL: PG_URL,
    PG_SCHEMA: schema,
    REDIS_URL: REDIS_URL,
    REDIS_PREFIX: prefix,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
  }
  const nodes: Node[] = [await startNode(0, env)]
  nodes.push(
    ...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startNode(i + 1, env)))),
  )
  try {
    return await run(nodes)
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL')
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    redis.disconnect()
  }
}

async function throughput(
  count: number,
): Promise<{ nodes: number; deliveriesPerSec: number; sent: number }> {
  return withCluster(count, async (nodes) => {
    const tokens = await register(nodes[0]!.url, 40)
    const clients: Client[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const node = nodes[i % nodes.length]!
      clients.push(await connect(node.ws, tokens[i % tokens.length]!))
    }
    const senders = clients.slice(0, SENDERS)
    const before = clients.reduce((a, c) => a + c.received, 0)
    const started = Date.now()
    const sent = await drive(senders, SECONDS)
    // Drain: wait until every client has the last acked seq (or 10 s).
    const lastSeq = Math.max(...clients.map((c) => c.lastSeq))
    for (let i = 0; i < 100 && clients.some((c) => c.lastSeq < lastSeq); i++)
      await new Promise((r) => setTimeout(r, 100))
    const elapsed = (Date.now() - started) / 1000
    const delivered = clients.reduce((a, c) => a + c.received, 0) - before
    for (const c of clients) c.socket.terminate()
    return { nodes: count, deliveriesPerSec: Math.round(delivered / elapsed), sent }
  })
}

async function failover(): Promise<{ clients: number; missed: number; caughtUpMs: number }> {
  return withCluster(2, async (nodes) => {
    const tokens = await register(nodes[0]!.url, 20)
    const movers: Client[] = []
    for (let i = 0; i < 200; i++)
      movers.push(await connect(nodes[1]!.ws, tokens[i % tokens.length]!))
    const sender = await connect(nodes[0]!.ws, tokens[0]!)
    // Kill the node mid-stream, keep sending for a second while its clients are away, then
    // move them all at once to the surviving node with since = the last seq each had.
    const sending = drive([sender], 1.5)
    await new Promise((r) => setTimeout(r, 500))
    nodes[1]!.child.kill('SIGKILL')
    await sending
    const last = sender.lastSeq
    const missed = Math.max(...movers.map((m) => last - m.lastSeq))
    const started = Date.now()
    const resumed = await Promise.all(
      movers.map((m, i) => connect(nodes[0]!.ws, tokens[i % tokens.length]!, m.lastSeq)),
    )
    while (resumed.some((r) => r.lastSeq < last)) await new Promise((r) => setTimeout(r, 10))
    const caughtUpMs = Date.now() - started
    for (const c of [...resumed, sender]) c.socket.terminate()
    return { clients: movers.length, missed, caughtUpMs }
  })
}

const results = []
for (const n of values.nodes.split(',').map(Number)) {
  const r = await throughput(n)
  console.log(
    `nodes=${r.nodes} clients=${CLIENTS} senders=${SENDERS}: ${r.deliveriesPerSec} deliveries/s (${r.sent} messages)`,
  )
  results.push(r)
}
const f = await failover()
console.log(
  `failover: ${f.clients} clients on a SIGKILLed node, up to ${f.missed} messages behind, reconnected to the other node and all caught up, in order and exactly once, in ${f.caughtUpMs} ms`,
)
process.exit(0)
