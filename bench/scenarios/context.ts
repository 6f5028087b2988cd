/** What every scenario gets from bench/run.ts, and the chat measurement several of them share. */
import type { ServerKind } from '../load/clients/protocol.js'
import { nowUs } from '../load/payload.js'
import type { LoadPool, MergedStats } from '../load/pool.js'
import { cpuMeter } from '../metrics/proc.js'
import type { ServerUnderTest } from '../servers/launch.js'

export type FigureValue = number | string | null

export interface FigureSpec {
  readonly key: string
  readonly label: string
  readonly unit: string
  /** Which way is better, for reading the ratio columns. */
  readonly better: 'higher' | 'lower' | 'none'
  /** Only Eddy has the feature (resume, durable acks, /api/movies). */
  readonly eddyOnly?: boolean
  /** The target, checked on the numbers of one run. */
  readonly goal?: {
    readonly text: string
    readonly met: (eddy: number, bare: number | null, socketio: number | null) => boolean | null
  }
}

export interface StartedServer {
  readonly server: ServerUnderTest
  /** Session tokens (Eddy only; empty for the references). */
  readonly tokens: readonly string[]
}

export interface ScenarioContext {
  readonly kind: ServerKind
  readonly quick: boolean
  readonly pool: LoadPool
  readonly addresses: readonly string[]
  /** Starts this scenario's server (stopped by the runner afterwards). */
  startServer(options?: {
    users?: number
    rooms?: readonly string[]
    env?: Record<string, string>
    nodeArgs?: readonly string[]
  }): Promise<StartedServer>
  /** A phase number never used before in this run. */
  nextPhase(): number
  log(message: string): void
}

export interface ScenarioOutput {
  readonly figures: Record<string, FigureValue>
  /** Everything else worth keeping in the JSON (per-step data, counts, errors). */
  readonly details: Record<string, unknown>
}

export interface Scenario {
  readonly name: string
  readonly description: string
  readonly kinds: readonly ServerKind[]
  figures(quick: boolean): FigureSpec[]
  run(ctx: ScenarioContext): Promise<ScenarioOutput>
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function connectAll(
  ctx: ScenarioContext,
  started: StartedServer,
  count: number,
  rooms: readonly string[],
  concurrencyPerWorker = 64,
): Promise<number> {
  const t0 = performance.now()
  const result = await ctx.pool.connect({
    concurrencyPerWorker,
    kind: ctx.kind,
    baseUrl: started.server.wsUrl,
    count,
    rooms,
    tokens: started.tokens,
    addresses: ctx.addresses,
  })
  const seconds = (performance.now() - t0) / 1000
  ctx.log(
    `  connected ${result.connected}/${count} in ${seconds.toFixed(1)} s (${Math.round(result.connected / seconds)}/s)`,
  )
  if (result.failed > 0) {
    ctx.log(`  ${result.failed}/${count} connections failed: ${result.firstError ?? '?'}`)
  }
  if (result.connected === 0) throw new Error(`no connection succeeded: ${result.firstError}`)
  return result.connected
}

export interface ChatMeasurement {
  readonly receivers: number
  readonly sent: number
  readonly expected: number
  readonly stats: MergedStats
  readonly loss: number
  readonly deliveriesPerS: number
  readonly offeredDeliveriesPerS: number
  readonly serverCpuS: number
  readonly loadCpuS: number
  readonly wallS: number
  readonly sendErrors: number
  readonly firstError?: string
}

/**
 * One measured phase: `ratePerS` messages per second from `senders` clients for `durationMs`,
 * into a room every connected client is in; then waits until every delivery arrived (or none
 * came for `quietMs`). Expected deliveries = messages × receivers (the sender included).
 */
export async function measureChat(
  ctx: ScenarioContext,
  server: ServerUnderTest,
  options: {
    receivers: number
    ratePerS: number
    senders: number
    durationMs: number
    quietMs?: number
    maxDrainMs?: number
  },
): Promise<ChatMeasurement> {
  const phase = ctx.nextPhase()
  await ctx.pool.phase(phase)
  const serverCpu = cpuMeter([server.pid])
  const loadCpu = cpuMeter(ctx.pool.pids)
  const startUs = nowUs()
  const sent = await ctx.pool.send({
    phase,
    ratePerS: options.ratePerS,
    senders: options.senders,
    durationMs: options.durationMs,
  })
  const expected = sent.sent * options.receivers
  const stats = await ctx.pool.drain(
    expected,
    options.quietMs ?? 2_000,
    options.maxDrainMs ?? 10_000,
  )
  const cpu = serverCpu()
  const load = loadCpu()
  // Over the send window, or longer when the last deliveries came after it (fell behind).
  const spanS = Math.max(options.durationMs * 1000, stats.lastDeliveryUs - startUs) / 1e6
  return {
    receivers: options.receivers,
    sent: sent.sent,
    expected,
    stats,
    loss: expected - stats.unique,
    deliveriesPerS: stats.unique / spanS,
    offeredDeliveriesPerS: expected / (options.durationMs / 1000),
    serverCpuS: cpu.cpuS,
    loadCpuS: load.cpuS,
    wallS: cpu.wallS,
    sendErrors: sent.errors,
    ...(sent.firstError ? { firstError: sent.firstError } : {}),
  }
}

export const ms = (us: number) => us / 1000

/** The JSON-friendly summary of a measurement. */
export function summary(m: ChatMeasurement): Record<string, unknown> {
  return {
    receivers: m.receivers,
    sent: m.sent,
    expected: m.expected,
    unique: m.stats.unique,
    loss: m.loss,
    dupes: m.stats.dupes,
    stale: m.stats.stale,
    deliveriesPerS: Math.round(m.deliveriesPerS),
    offeredDeliveriesPerS: m.offeredDeliveriesPerS,
    p50Ms: ms(m.stats.latency.percentile(50)),
    p99Ms: ms(m.stats.latency.percentile(99)),
    maxMs: ms(m.stats.latency.maxUs),
    serverCpuS: m.serverCpuS,
    loadGenCpuS: m.loadCpuS,
    wallS: m.wallS,
    unexpectedCloses: m.stats.unexpectedCloses,
    sendErrors: m.sendErrors,
    firstError: m.firstError,
  }
}
