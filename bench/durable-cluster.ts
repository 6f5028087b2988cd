/**
 * Durable sends on PostgreSQL + Redis with N nodes (issue #16, item 1): the `durable` scenario's
 * load (50 rooms × 4 senders, 8 unacked sends each, 10 s) spread over the nodes, with acked/s, ack
 * p99 and where the CPU goes. `npx tsx bench/durable-cluster.ts [nodes=2]`.
 */
import { cpus } from 'node:os'
import { cpuMeter, cpuMeterOf, pidsNamed } from './metrics/proc.js'
import { LoadPool, sourceAddresses } from './load/pool.js'
import { launchEddyCluster } from './servers/eddy-cluster.js'

const NODES = Number(process.argv[2] ?? 2)
const ROOMS = 50
const SENDERS = ROOMS * 4
const WINDOW = 8
const DURATION_MS = 10_000

const rooms = Array.from({ length: ROOMS }, (_, i) => `durable${i}`)
const cluster = await launchEddyCluster({ nodes: NODES, users: 100, rooms })
const pool = new LoadPool(cpus().length)
try {
  const connected = await pool.connect({
    kind: 'eddy',
    baseUrl: cluster.nodes[0]!.wsUrl,
    baseUrls: cluster.nodes.map((n) => n.wsUrl),
    count: SENDERS,
    rooms,
    tokens: cluster.tokens,
    addresses: sourceAddresses(4),
    concurrencyPerWorker: 64,
  })
  console.log(`${NODES} nodes, ${connected.connected}/${SENDERS} senders connected`)
  const nodes = cluster.nodes.map((n) => cpuMeter([n.pid]))
  const load = cpuMeter(pool.pids)
  const redis = cpuMeter(pidsNamed('redis-server'))
  const pg = cpuMeterOf(await cluster.pgBackendPids())
  const pgAll = cpuMeterOf(pidsNamed('postgres'))
  await pool.phase(1)
  const r = await pool.durable({ phase: 1, durationMs: DURATION_MS, window: WINDOW })
  const wallS = DURATION_MS / 1000
  const pct = (s: number) => `${Math.round((100 * s) / wallS)} %`
  const perNode = nodes.map((m) => m().cpuS)
  console.log(
    `acked ${Math.round(r.acked / wallS)}/s, ack p99 ${(r.ackLatency.percentile(99) / 1000).toFixed(1)} ms, ${r.errors} errors ${r.firstError ?? ''}`,
  )
  console.log(
    `CPU of one core: nodes ${perNode.map(pct).join(' + ')}, load generator ${pct(load().cpuS)}, Redis ${pct(redis().cpuS)}, PostgreSQL backends ${pct(pg(await cluster.pgBackendPids()))} (all postgres ${pct(pgAll(pidsNamed('postgres')))})`,
  )
  const acked = Math.max(1, r.acked)
  const nodeUs = (perNode.reduce((a, b) => a + b, 0) * 1e6) / acked
  console.log(`CPU per ack: nodes ${nodeUs.toFixed(1)} µs`)
} finally {
  await pool.stop()
  await cluster.stop()
}
