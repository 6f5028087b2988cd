/**
 * The slow-upstream scenario on two nodes on PostgreSQL + Redis (issue #16, item 2): 100 chat
 * clients on node 0, and the 1,000 /api/movies callers on node 1 ("split", the API served by
 * another process behind a router) or on node 0 too ("same"), alternating, so the two differ only
 * in where the HTTP burst is parsed. `npx tsx bench/upstream-split.ts [pairs=2]`.
 */
import { cpus } from 'node:os'
import { LoadPool, sourceAddresses } from './load/pool.js'
import { measureChat, ms, sleep, type ScenarioContext } from './scenarios/context.js'
import {
  CALLS,
  CLIENTS,
  slowUpstream,
  startCallers,
  UPSTREAM_DELAY_MS,
} from './scenarios/upstream.js'
import { launchEddyCluster } from './servers/eddy-cluster.js'

const PAIRS = Number(process.argv[2] ?? 2)

const up = await slowUpstream()
const pool = new LoadPool(cpus().length)
let phase = 0
const ctx: ScenarioContext = {
  kind: 'eddy',
  quick: false,
  pool,
  addresses: sourceAddresses(4),
  startServer: () => Promise.reject(new Error('not used')),
  nextPhase: () => ++phase,
  log: (message) => console.log(message),
}

async function once(where: 'split' | 'same'): Promise<string> {
  const cluster = await launchEddyCluster({
    nodes: 2,
    users: 20,
    rooms: ['lobby'],
    env: { MOVIES_UPSTREAM_URL: up.url, ALLOW_PRIVATE_UPSTREAMS: '1' },
  })
  try {
    const [chatNode, apiNode] = [cluster.nodes[0]!, cluster.nodes[where === 'split' ? 1 : 0]!]
    const connected = await pool.connect({
      kind: 'eddy',
      baseUrl: chatNode.wsUrl,
      count: CLIENTS,
      rooms: ['lobby'],
      tokens: cluster.tokens,
      addresses: ctx.addresses,
      concurrencyPerWorker: 64,
    })
    const chat = {
      receivers: connected.connected,
      ratePerS: 10_000 / connected.connected,
      senders: 10,
      durationMs: 4_000,
    }
    // The baseline first here: the callers' warm connections are opened after it, and fired at
    // once, well inside the server's keep-alive timeout.
    const without = await measureChat(ctx, chatNode, chat)
    const callers = await startCallers({
      kind: 'setup',
      baseUrl: apiNode.httpUrl,
      token: cluster.tokens[0]!,
      calls: CALLS,
    })
    const calls = (async () => {
      await sleep(500)
      return callers.fire()
    })()
    const loaded = await measureChat(ctx, chatNode, chat)
    const { durationsUs, statuses } = await calls
    callers.close()
    const p99Without = ms(without.stats.latency.percentile(99))
    const p99With = ms(loaded.stats.latency.percentile(99))
    const slowest = Math.max(...durationsUs) / 1e6
    await pool.closeAll()
    return `${where}: chat p99 ${p99Without.toFixed(1)} → ${p99With.toFixed(1)} ms (${(p99With / p99Without).toFixed(2)} ×), loss ${loaded.loss + without.loss}; calls ${JSON.stringify(statuses)}, slowest ${slowest.toFixed(2)} s for a ${UPSTREAM_DELAY_MS / 1000} s upstream`
  } finally {
    await cluster.stop()
  }
}

try {
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const where of ['same', 'split'] as const) console.log(await once(where))
  }
} finally {
  await pool.stop()
  await up.close()
}
