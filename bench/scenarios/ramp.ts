/**
 * ramp: C = 1000 clients in one room; the offered rate rises step by step until p99 > 200 ms,
 * any loss or duplicate, a dropped client, or deliveries fall below 95 % of the offered rate.
 * Reports the last step that held, with the server's CPU (and the load generator's) at it.
 */
import { connectAll, measureChat, summary, type ChatMeasurement, type Scenario } from './context.js'

const CLIENTS = 1000
const SENDERS = 20
const P99_LIMIT_MS = 200
const KEEP_UP = 0.95
/** Low enough that a loaded 2-core box still holds the first step. */
const START_DELIVERIES_PER_S = 2_500

function verdict(m: ChatMeasurement): string | undefined {
  const p99Ms = m.stats.latency.percentile(99) / 1000
  if (m.loss > 0) return `lost ${m.loss}`
  if (m.stats.dupes > 0) return `${m.stats.dupes} duplicates`
  if (Object.keys(m.stats.unexpectedCloses).length > 0)
    return `clients closed ${JSON.stringify(m.stats.unexpectedCloses)}`
  if (!(p99Ms <= P99_LIMIT_MS)) return `p99 ${p99Ms.toFixed(0)} ms`
  if (m.deliveriesPerS < KEEP_UP * m.offeredDeliveriesPerS) return 'fell behind the offered rate'
  return undefined
}

export const ramp: Scenario = {
  name: 'ramp',
  description: `C = ${CLIENTS}, offered rate raised until p99 > ${P99_LIMIT_MS} ms, loss, or < ${KEEP_UP * 100} % delivered`,
  kinds: ['bare', 'socketio', 'eddy'],
  figures: () => [
    {
      key: 'maxDeliveriesPerS',
      label: 'ramp C=1000: max sustained deliveries/s',
      unit: '/s',
      better: 'higher',
      goal: {
        text: '≥ 0.8 × bare and > socket.io',
        met: (e, b, s) => (b === null || s === null ? null : e >= 0.8 * b && e > s),
      },
    },
    { key: 'cpuPct', label: 'ramp: server CPU at that step', unit: '%', better: 'none' },
    { key: 'loadCpuPct', label: 'ramp: load-gen CPU at that step', unit: '%', better: 'none' },
    { key: 'stop', label: 'ramp: stopped because', unit: '', better: 'none' },
  ],
  async run(ctx) {
    const stepMs = ctx.quick ? 2_500 : 3_000
    const growth = ctx.quick ? 2 : 1.5
    const maxSteps = ctx.quick ? 7 : 12
    const started = await ctx.startServer({ rooms: ['lobby'] })
    const receivers = await connectAll(ctx, started, CLIENTS, ['lobby'])
    await new Promise((r) => setTimeout(r, 500))
    const steps: Record<string, unknown>[] = []
    let best: ChatMeasurement | undefined
    let stop = `reached the last step (${maxSteps})`
    let offered = START_DELIVERIES_PER_S
    for (let step = 0; step < maxSteps; step++, offered = Math.round(offered * growth)) {
      const m = await measureChat(ctx, started.server, {
        receivers,
        ratePerS: offered / receivers,
        senders: SENDERS,
        durationMs: stepMs,
        quietMs: 1_500,
        maxDrainMs: 6_000,
      })
      const why = verdict(m)
      steps.push({ ...summary(m), verdict: why ?? 'held' })
      ctx.log(
        `  offered ${offered}/s → ${Math.round(m.deliveriesPerS)}/s, p99 ${(m.stats.latency.percentile(99) / 1000).toFixed(1)} ms, lost ${m.loss}, server CPU ${((100 * m.serverCpuS) / m.wallS).toFixed(0)} %: ${why ?? 'held'}`,
      )
      if (why) {
        stop = `${why} at ${offered}/s offered`
        break
      }
      best = m
    }
    return {
      figures: {
        maxDeliveriesPerS: best ? Math.round(best.deliveriesPerS) : 0,
        cpuPct: best ? (100 * best.serverCpuS) / best.wallS : null,
        loadCpuPct: best ? (100 * best.loadCpuS) / best.wallS : null,
        stop,
      },
      details: { steps },
    }
  },
}
