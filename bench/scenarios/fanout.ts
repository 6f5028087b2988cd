/**
 * fanout: C clients in one room, S of them sending, at a fixed offered rate of 10,000
 * deliveries/s: deliveries/s, exact loss and duplicates, latency, and server CPU per delivery.
 */
import { connectAll, measureChat, ms, summary, type FigureSpec, type Scenario } from './context.js'

const OFFERED_DELIVERIES_PER_S = 10_000
const SENDERS = 10
const SIZES = [100, 1000] as const

function specs(c: number): FigureSpec[] {
  const at = `fanout C=${c} @10k/s`
  return [
    { key: `c${c}.deliveriesPerS`, label: `${at}: deliveries/s`, unit: '/s', better: 'higher' },
    { key: `c${c}.loss`, label: `${at}: lost`, unit: '', better: 'lower' },
    { key: `c${c}.dupes`, label: `${at}: duplicates`, unit: '', better: 'lower' },
    { key: `c${c}.p50Ms`, label: `${at}: p50 latency`, unit: 'ms', better: 'lower' },
    {
      key: `c${c}.p99Ms`,
      label: `${at}: p99 latency`,
      unit: 'ms',
      better: 'lower',
      ...(c === 1000
        ? {
            goal: {
              text: '≤ 1.3 × bare',
              met: (e: number, b: number | null) => (b === null ? null : e <= 1.3 * b),
            },
          }
        : {}),
    },
    { key: `c${c}.maxMs`, label: `${at}: max latency`, unit: 'ms', better: 'lower' },
    {
      key: `c${c}.cpuUsPerDelivery`,
      label: `${at}: server CPU per delivery`,
      unit: 'µs',
      better: 'lower',
      ...(c === 1000
        ? {
            goal: {
              text: '≤ 1.25 × bare',
              met: (e: number, b: number | null) => (b === null ? null : e <= 1.25 * b),
            },
          }
        : {}),
    },
  ]
}

export const fanout: Scenario = {
  name: 'fanout',
  description: `C = ${SIZES.join(', ')} clients in one room, ${SENDERS} senders, ${OFFERED_DELIVERIES_PER_S} deliveries/s offered`,
  kinds: ['bare', 'socketio', 'eddy'],
  figures: () => SIZES.flatMap(specs),
  async run(ctx) {
    const figures: Record<string, number> = {}
    const details: Record<string, unknown> = {}
    const durationMs = ctx.quick ? 3_000 : 10_000
    const started = await ctx.startServer({ rooms: ['lobby'] })
    for (const c of SIZES) {
      const receivers = await connectAll(ctx, started, c, ['lobby'])
      await new Promise((r) => setTimeout(r, 500)) // presence/joined frames settle
      const m = await measureChat(ctx, started.server, {
        receivers,
        ratePerS: OFFERED_DELIVERIES_PER_S / c,
        senders: Math.min(SENDERS, receivers),
        durationMs,
      })
      figures[`c${c}.deliveriesPerS`] = Math.round(m.deliveriesPerS)
      figures[`c${c}.loss`] = m.loss
      figures[`c${c}.dupes`] = m.stats.dupes
      figures[`c${c}.p50Ms`] = ms(m.stats.latency.percentile(50))
      figures[`c${c}.p99Ms`] = ms(m.stats.latency.percentile(99))
      figures[`c${c}.maxMs`] = ms(m.stats.latency.maxUs)
      figures[`c${c}.cpuUsPerDelivery`] = (m.serverCpuS * 1e6) / Math.max(1, m.stats.unique)
      details[`c${c}`] = summary(m)
      ctx.log(
        `  C=${c}: ${Math.round(m.deliveriesPerS)} deliveries/s, lost ${m.loss}, dupes ${m.stats.dupes}, p99 ${(m.stats.latency.percentile(99) / 1000).toFixed(1)} ms`,
      )
      await ctx.pool.closeAll()
    }
    return { figures, details }
  },
}
