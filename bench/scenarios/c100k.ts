/**
 * c100k (issue 16, item 3): C signed-in clients over N Eddy nodes on PostgreSQL and Redis, all in
 * one room, spread round-robin over the nodes from load workers on rotated source addresses.
 * Measures connecting everyone, RSS per connection, one message to all, a resume storm of all
 * after a drop, then a steady rate to the room; the same at one node beside it. Opt-in
 * (`--scenario c100k`): it needs PostgreSQL and Redis, and minutes.
 */
import { cpus } from 'node:os'
import { LoadPool, sourceAddresses, type MergedStats } from '../load/pool.js'
import { nowUs } from '../load/payload.js'
import { cpuMeter, cpuMeterOf, machineBusyMeter, pidsNamed, rssBytes } from '../metrics/proc.js'
import { launchEddyCluster, type EddyCluster } from '../servers/eddy-cluster.js'
import { addressesFor, workersFor, type C100kOptions } from './c100k-options.js'
import {
  ms,
  sleep,
  type FigureSpec,
  type FigureValue,
  type Scenario,
  type ScenarioContext,
} from './context.js'
import { sendAcked, stampedMessage } from './resume.js'

const ROOM = 'c100k'
/**
 * A refused or failed (re)connect is retried with the web client's backoff (it retries forever):
 * in a storm a node answers 503 when its PostgreSQL pool cannot check a session within 5 s.
 */
const RETRIES = 30

/** CPU seconds per process class over one phase, and the machine's busy share. */
interface PhaseCpu {
  readonly wallS: number
  readonly nodesS: number
  /** The busiest node's share of one core. */
  readonly busiestNode: number
  readonly loadS: number
  readonly redisS: number
  /** This cluster's PostgreSQL backends. */
  readonly pgS: number
  /** Every postgres process (shared with whatever else uses it). */
  readonly pgAllS: number
  readonly machineBusy: number
}

async function phaseCpu(cluster: EddyCluster, pool: LoadPool) {
  const nodeMeters = cluster.nodes.map((n) => cpuMeter([n.pid]))
  const load = cpuMeter(pool.pids)
  const redis = cpuMeter(pidsNamed('redis-server'))
  const pg = cpuMeterOf(await cluster.pgBackendPids())
  const pgAll = cpuMeterOf(pidsNamed('postgres'))
  const machine = machineBusyMeter()
  const t0 = performance.now()
  return async (): Promise<PhaseCpu> => {
    const wallS = (performance.now() - t0) / 1000
    const perNode = nodeMeters.map((m) => m().cpuS)
    return {
      wallS,
      nodesS: perNode.reduce((a, b) => a + b, 0),
      busiestNode: Math.max(...perNode) / wallS,
      loadS: load().cpuS,
      redisS: redis().cpuS,
      pgS: pg(await cluster.pgBackendPids()),
      pgAllS: pgAll(pidsNamed('postgres')),
      machineBusy: machine(),
    }
  }
}

const pct = (s: number, wallS: number) => `${Math.round((100 * s) / Math.max(wallS, 1e-6))}%`

function describeCpu(c: PhaseCpu): string {
  return `CPU of one core over ${c.wallS.toFixed(1)} s: nodes ${pct(c.nodesS, c.wallS)} (busiest ${Math.round(100 * c.busiestNode)}%), load gen ${pct(c.loadS, c.wallS)}, Redis ${pct(c.redisS, c.wallS)}, PG backends ${pct(c.pgS, c.wallS)} (all postgres ${pct(c.pgAllS, c.wallS)}); machine ${Math.round(100 * c.machineBusy)}% busy`
}

/** What limited a phase, read from where the CPU went (2 cores here, shared by every process). */
export function limitOf(c: PhaseCpu, cores: number): string {
  const shares: [string, number][] = [
    ['the Eddy nodes', c.nodesS / c.wallS],
    ['the load generator', c.loadS / c.wallS],
    ['Redis', c.redisS / c.wallS],
    ['PostgreSQL', c.pgAllS / c.wallS],
  ]
  shares.sort((a, b) => b[1] - a[1])
  const [top, share] = shares[0]!
  if (c.redisS / c.wallS > 0.9) return 'Redis (one core, single-threaded)'
  if (c.machineBusy > 0.9)
    return `the machine's ${cores} cores (all busy; most to ${top}, ${Math.round(100 * share)}% of a core)`
  if (c.busiestNode > 0.9) return 'one node’s main thread (a full core)'
  return `not CPU (machine ${Math.round(100 * c.machineBusy)}% busy): latency of the path itself`
}

interface Delivery {
  readonly expected: number
  readonly unique: number
  readonly loss: number
  readonly dupes: number
  readonly outOfOrder: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

function delivery(stats: MergedStats, expected: number): Delivery {
  return {
    expected,
    unique: stats.unique,
    loss: expected - stats.unique,
    dupes: stats.dupes,
    outOfOrder: stats.outOfOrder,
    p50Ms: ms(stats.latency.percentile(50)),
    p99Ms: ms(stats.latency.percentile(99)),
    maxMs: ms(stats.latency.maxUs),
  }
}

const describeCloses = (closes: Record<string, number>): string =>
  Object.entries(closes)
    .map(([code, n]) => `${n}×${code}`)
    .join(', ')

const exact = (d: { loss: number; dupes: number; outOfOrder: number }, extra = '') =>
  d.loss === 0 && d.dupes === 0 && d.outOfOrder === 0 && extra === ''
    ? 'yes'
    : `no (${d.loss} lost, ${d.dupes} dupes, ${d.outOfOrder} out of order${extra})`

/** One setup (N nodes, C clients), all steps; figures keyed `<prefix>.<name>`. */
async function runSetup(
  ctx: ScenarioContext,
  o: C100kOptions,
  nodes: number,
  clients: number,
  prefix: string,
  figures: Record<string, FigureValue>,
): Promise<Record<string, unknown>> {
  const log = (m: string) => ctx.log(`  [${nodes} node${nodes > 1 ? 's' : ''}, C=${clients}] ${m}`)
  const details: Record<string, unknown> = { nodes, clients }
  const t0 = performance.now()
  const cluster = await launchEddyCluster({
    nodes,
    users: Math.min(o.users, clients),
    rooms: [ROOM],
    pgUrl: o.pgUrl,
    redisUrl: o.redisUrl,
    ...(o.cpuProfDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] } : {}),
  })
  log(
    `${nodes} nodes up and ${cluster.tokens.length} users registered in ${((performance.now() - t0) / 1000).toFixed(1)} s (schema ${cluster.schema})`,
  )
  const workers = workersFor(clients, ctx.pool.size)
  const pool = new LoadPool(workers)
  const addresses = sourceAddresses(addressesFor(clients, ctx.addresses.length))
  log(`connecting from ${workers} load workers on ${addresses.length} source addresses…`)
  details['loadWorkers'] = workers
  details['sourceAddresses'] = addresses.length
  try {
    // 1. Connect everyone.
    await sleep(1_000)
    const rssBefore = cluster.nodes.reduce((s, n) => s + rssBytes(n.pid), 0)
    let cpu = await phaseCpu(cluster, pool)
    const c0 = performance.now()
    const connected = await pool.connect({
      kind: 'eddy',
      baseUrl: cluster.nodes[0]!.wsUrl,
      baseUrls: cluster.nodes.map((n) => n.wsUrl),
      count: clients,
      rooms: [ROOM],
      tokens: cluster.tokens,
      addresses,
      concurrencyPerWorker: 128,
      retries: RETRIES,
    })
    const connectS = (performance.now() - c0) / 1000
    const connectCpu = await cpu()
    log(
      `connected ${connected.connected}/${clients} in ${connectS.toFixed(1)} s (${Math.round(connected.connected / connectS)}/s, ${connected.retried ?? 0} attempts retried)${connected.failed ? `, ${connected.failed} failed: ${connected.firstError}` : ''}; ${describeCpu(connectCpu)}`,
    )
    if (connected.connected === 0) throw new Error(`no client connected: ${connected.firstError}`)
    await sleep(3_000) // let the nodes settle (GC, buffers)
    const rssAfter = cluster.nodes.map((n) => rssBytes(n.pid))
    const rssKiBPerConn =
      (rssAfter.reduce((a, b) => a + b, 0) - rssBefore) / 1024 / connected.connected
    log(
      `RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(0)} MiB over the nodes: ${rssKiBPerConn.toFixed(1)} KiB per connection`,
    )
    figures[`${prefix}.connected`] = `${connected.connected}/${clients}`
    figures[`${prefix}.connectLimit`] = limitOf(connectCpu, cpus().length)
    figures[`${prefix}.connectS`] = connectS
    figures[`${prefix}.rssKiBPerConn`] = rssKiBPerConn
    details['connect'] = {
      ...connected,
      seconds: connectS,
      cpu: connectCpu,
      rssBeforeMiB: rssBefore / 2 ** 20,
      rssAfterMiBPerNode: rssAfter.map((r) => r / 2 ** 20),
    }
    const C = connected.connected

    // Sockets the server closed while everyone connected and settled (the next phase forgets them):
    // a client closed before the message cannot have it live, and gets it when it resumes.
    const settled = await pool.stats()
    const settledCloses = describeCloses(settled.unexpectedCloses)
    log(
      `${settled.open}/${C} still open${settledCloses ? `; closed by the server: ${settledCloses}` : ''}`,
    )
    details['settled'] = { open: settled.open, unexpectedCloses: settled.unexpectedCloses }

    // 2. One message to everyone.
    log('one message…')
    let phase = ctx.nextPhase()
    await pool.phase(phase)
    cpu = await phaseCpu(cluster, pool)
    await pool.send({ phase, ratePerS: 1, senders: 1, durationMs: 1_000 })
    const oneStats = await pool.drain(C, 10_000, o.maxDrainS * 1000)
    const one = delivery(oneStats, C)
    const oneCpu = await cpu()
    const oneCloses = describeCloses(oneStats.unexpectedCloses)
    log(
      `one message: all ${C} had it? ${exact(one)} (${oneStats.open} open${oneCloses ? `; closed by the server: ${oneCloses}` : ''}); latency p50 ${one.p50Ms.toFixed(0)} ms, p99 ${one.p99Ms.toFixed(0)} ms, max ${one.maxMs.toFixed(0)} ms; ${describeCpu(oneCpu)}`,
    )
    if (one.loss > 0) {
      const short = await pool.missing(1)
      log(
        `  without it: ${JSON.stringify(short.byUrl)}; what they last heard: ${JSON.stringify(short.byTrouble)}`,
      )
      details['oneMessageMissing'] = short
    }
    figures[`${prefix}.oneP50Ms`] = one.p50Ms
    figures[`${prefix}.oneP99Ms`] = one.p99Ms
    figures[`${prefix}.oneMaxMs`] = one.maxMs
    figures[`${prefix}.oneExactly`] = exact(one)
    figures[`${prefix}.oneRedisCpuMs`] = oneCpu.redisS * 1000
    figures[`${prefix}.onePgCpuMs`] = oneCpu.pgS * 1000
    details['oneMessage'] = {
      ...one,
      open: oneStats.open,
      unexpectedCloses: oneStats.unexpectedCloses,
      cpu: oneCpu,
    }

    // 3. Resume storm: everyone drops, messages go out meanwhile, everyone comes back with since.
    log('resume storm…')
    phase = ctx.nextPhase()
    await pool.phase(phase)
    await pool.drop()
    await sendAcked(
      cluster.nodes[0]!.wsUrl,
      cluster.tokens[0]!,
      Array.from({ length: o.stormMessages }, (_, n) => stampedMessage(phase, n, ROOM)),
      ROOM,
    )
    cpu = await phaseCpu(cluster, pool)
    const stormStartUs = nowUs()
    const r = await pool.reconnect(o.stormMessages, o.maxDrainS * 1000, RETRIES)
    const stormStats = await pool.stats()
    const stormCpu = await cpu()
    const stormS = r.allDoneUs > 0 ? (r.allDoneUs - stormStartUs) / 1e6 : null
    const storm = delivery(stormStats, C * o.stormMessages)
    const stormExtra = r.failed > 0 ? `, ${r.failed} reconnects failed: ${r.firstError}` : ''
    log(
      `resume storm (${o.stormMessages} missed messages each): ${stormS === null ? `incomplete (${r.incomplete} clients)` : `all caught up in ${stormS.toFixed(2)} s`} (${r.retried} attempts retried); exactly once in order? ${exact(storm, stormExtra)}; ${describeCpu(stormCpu)}`,
    )
    figures[`${prefix}.stormS`] = stormS
    figures[`${prefix}.stormExactly`] = exact(storm, stormExtra)
    figures[`${prefix}.stormRedisCpuMs`] = stormCpu.redisS * 1000
    figures[`${prefix}.stormLimit`] = limitOf(stormCpu, cpus().length)
    figures[`${prefix}.stormPgCpuMs`] = stormCpu.pgS * 1000
    details['storm'] = { ...storm, ...r, seconds: stormS, cpu: stormCpu }

    // 4. A steady rate to the room.
    log(`${o.ratePerS} messages/s for ${o.seconds} s…`)
    phase = ctx.nextPhase()
    await pool.phase(phase)
    await sleep(1_000)
    cpu = await phaseCpu(cluster, pool)
    const chatStartUs = nowUs()
    // Every send's answer awaited (ack or refusal; up to the drain bound, since at this size the
    // acks queue behind the fan-out): a refused or unanswered send was promised to no one, so
    // only acked messages are expected at every client, and a refused one must reach no one.
    const sent = await pool.send({
      phase,
      ratePerS: o.ratePerS,
      senders: Math.min(10, C),
      durationMs: o.seconds * 1000,
      awaitAcks: true,
      ackTimeoutMs: o.maxDrainS * 1000,
    })
    const expected = sent.acked * C
    const chatStats = await pool.drain(expected, 10_000, o.maxDrainS * 1000)
    const closes = describeCloses(chatStats.unexpectedCloses)
    const chatCpu = await cpu()
    const measured = delivery(chatStats, expected)
    // More than the acked ones arrive when a send was stored but its ack lost (a retry with its
    // cid would get the same seq): not a duplicate, so not counted against exactly-once.
    const beyondAcked = Math.max(0, -measured.loss)
    const unanswered = sent.sent - sent.acked - sent.errors
    const chat = { ...measured, loss: Math.max(0, measured.loss) }
    // With every send answered, a delivery beyond the acked ones is a refused message delivered.
    const refusedDelivered = beyondAcked > 0 && unanswered === 0 ? 'refused sends delivered' : ''
    const spanS = Math.max(o.seconds * 1e6, chatStats.lastDeliveryUs - chatStartUs) / 1e6
    const perS = chat.unique / spanS
    const limit = limitOf(chatCpu, cpus().length)
    log(
      `${o.ratePerS} messages/s for ${o.seconds} s to ${chatStats.open} open clients (${sent.sent} sent, ${sent.acked} acked, ${sent.errors} refused${sent.firstError ? `: ${sent.firstError}` : ''}, ${unanswered} unanswered${beyondAcked ? `; ${beyondAcked} deliveries of sends not acked` : ''}${closes ? `; closed by the server: ${closes}` : ''}): ${Math.round(perS)} deliveries/s of ${o.ratePerS * C} offered, p50 ${chat.p50Ms.toFixed(0)} ms, p99 ${chat.p99Ms.toFixed(0)} ms, max ${chat.maxMs.toFixed(0)} ms; exactly once in order? ${exact(chat, refusedDelivered)}; ${describeCpu(chatCpu)}; limit: ${limit}`,
    )
    figures[`${prefix}.chatPerS`] = perS
    figures[`${prefix}.chatP99Ms`] = chat.p99Ms
    figures[`${prefix}.chatExactly`] = exact(chat, refusedDelivered)
    figures[`${prefix}.chatLimit`] = limit
    details['chat'] = {
      ...chat,
      sent: sent.sent,
      acked: sent.acked,
      deliveriesBeyondAcked: beyondAcked,
      refused: sent.errors,
      deliveriesPerS: perS,
      offeredPerS: o.ratePerS * C,
      spanS,
      cpu: chatCpu,
      unexpectedCloses: chatStats.unexpectedCloses,
    }
    return details
  } finally {
    await pool.stop().catch(() => {})
    await cluster.stop()
  }
}

const ROWS: readonly { name: string; label: string; unit: string; better: FigureSpec['better'] }[] =
  [
    { name: 'connected', label: 'clients connected', unit: '', better: 'none' },
    { name: 'connectS', label: 'time to connect everyone', unit: 's', better: 'lower' },
    { name: 'connectLimit', label: 'connecting: what limits it', unit: '', better: 'none' },
    {
      name: 'rssKiBPerConn',
      label: 'server RSS per connection (sum of nodes)',
      unit: 'KiB',
      better: 'lower',
    },
    { name: 'oneP50Ms', label: 'one message to all: p50', unit: 'ms', better: 'lower' },
    { name: 'oneP99Ms', label: 'one message to all: p99', unit: 'ms', better: 'lower' },
    {
      name: 'oneMaxMs',
      label: 'one message to all: max (all have it)',
      unit: 'ms',
      better: 'lower',
    },
    {
      name: 'oneExactly',
      label: 'one message: every client exactly once',
      unit: '',
      better: 'none',
    },
    { name: 'oneRedisCpuMs', label: 'one message: Redis CPU', unit: 'ms', better: 'lower' },
    {
      name: 'onePgCpuMs',
      label: 'one message: PostgreSQL CPU (backends)',
      unit: 'ms',
      better: 'lower',
    },
    {
      name: 'stormS',
      label: 'resume storm of all: until all caught up',
      unit: 's',
      better: 'lower',
    },
    {
      name: 'stormExactly',
      label: 'resume storm: exactly once, in seq order',
      unit: '',
      better: 'none',
    },
    { name: 'stormLimit', label: 'resume storm: what limits it', unit: '', better: 'none' },
    { name: 'stormRedisCpuMs', label: 'resume storm: Redis CPU', unit: 'ms', better: 'lower' },
    {
      name: 'stormPgCpuMs',
      label: 'resume storm: PostgreSQL CPU (backends)',
      unit: 'ms',
      better: 'lower',
    },
    { name: 'chatPerS', label: 'steady rate: deliveries', unit: '/s', better: 'higher' },
    { name: 'chatP99Ms', label: 'steady rate: delivery p99', unit: 'ms', better: 'lower' },
    {
      name: 'chatExactly',
      label: 'steady rate: exactly once, in seq order',
      unit: '',
      better: 'none',
    },
    { name: 'chatLimit', label: 'steady rate: what limits it', unit: '', better: 'none' },
  ]

function setups(
  o: C100kOptions,
): { prefix: string; nodes: number; clients: number; title: string }[] {
  const many = { prefix: 'cluster', nodes: o.nodes, clients: o.clients }
  const one = { prefix: 'one', nodes: 1, clients: o.oneNodeClients }
  // The cluster first: it is the point, and a run cut short by a time cap still has it.
  return [many, ...(o.oneNodeClients > 0 ? [one] : [])].map((s) => ({
    ...s,
    title: `${s.nodes} node${s.nodes > 1 ? 's' : ''}, C=${s.clients.toLocaleString('en-US')}`,
  }))
}

/** The side-by-side table: one row per figure, one column per setup. */
function sideBySide(o: C100kOptions, figures: Record<string, FigureValue>): string {
  const cols = setups(o)
  const cell = (v: FigureValue | undefined, unit: string) =>
    v === undefined || v === null
      ? '–'
      : typeof v === 'number'
        ? `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2)}${unit === '/s' ? '/s' : unit ? ` ${unit}` : ''}`
        : v
  const lines = [
    `| figure | ${cols.map((c) => c.title).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
    ...ROWS.map(
      (r) =>
        `| ${r.label} | ${cols.map((c) => cell(figures[`${c.prefix}.${r.name}`], r.unit)).join(' | ')} |`,
    ),
  ]
  return lines.join('\n')
}

export function c100kScenario(o: C100kOptions): Scenario {
  return {
    name: 'c100k',
    description: `${o.clients} signed-in clients over ${o.nodes} nodes on PostgreSQL + Redis in one room (and ${o.oneNodeClients} on one node beside it)`,
    kinds: ['eddy'],
    figures: () =>
      setups(o).flatMap((s) =>
        ROWS.map((r): FigureSpec => ({
          key: `${s.prefix}.${r.name}`,
          label: `${s.title}: ${r.label}`,
          unit: r.unit,
          better: r.better,
          eddyOnly: true,
        })),
      ),
    async run(ctx) {
      const figures: Record<string, FigureValue> = {}
      const details: Record<string, unknown> = { options: o }
      for (const s of setups(o)) {
        try {
          details[s.prefix] = await runSetup(ctx, o, s.nodes, s.clients, s.prefix, figures)
        } catch (error) {
          // Keep what the other setup measured; this one's figures stay as far as they got.
          const message = error instanceof Error ? error.message : String(error)
          ctx.log(`  [${s.title}] FAILED: ${message}`)
          details[s.prefix] = { error: message }
        }
      }
      ctx.log(`\n${sideBySide(o, figures)}`)
      details['table'] = sideBySide(o, figures)
      return { figures, details }
    },
  }
}
