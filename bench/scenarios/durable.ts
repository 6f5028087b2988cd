/**
 * durable sends (Eddy only: the references store nothing and ack nothing): many rooms, many
 * senders, each keeping a window of unacked messages in flight; acked (committed) messages/s.
 */
import { cpuMeter } from '../metrics/proc.js'
import { connectAll, ms, type Scenario } from './context.js'

export const durable: Scenario = {
  name: 'durable',
  description: 'many rooms, many senders, each with a window of unacked sends: acks/s',
  kinds: ['eddy'],
  figures: () => [
    {
      key: 'ackedPerS',
      label: 'durable sends: acked messages/s',
      unit: '/s',
      better: 'higher',
      eddyOnly: true,
      goal: { text: '≥ 20,000/s', met: (e) => e >= 20_000 },
    },
    {
      key: 'ackP99Ms',
      label: 'durable sends: ack p99',
      unit: 'ms',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'cpuPct',
      label: 'durable sends: server CPU',
      unit: '%',
      better: 'none',
      eddyOnly: true,
    },
  ],
  async run(ctx) {
    const roomCount = ctx.quick ? 20 : 50
    const senders = roomCount * 4
    const window = 8
    const durationMs = ctx.quick ? 4_000 : 10_000
    const rooms = Array.from({ length: roomCount }, (_, i) => `durable${i}`)
    const started = await ctx.startServer({ rooms })
    const connected = await connectAll(ctx, started, senders, rooms)
    const phase = ctx.nextPhase()
    await ctx.pool.phase(phase)
    const meter = cpuMeter([started.server.pid])
    const r = await ctx.pool.durable({ phase, durationMs, window })
    const cpu = meter()
    const ackedPerS = r.acked / (durationMs / 1000)
    ctx.log(
      `  ${connected} senders in ${roomCount} rooms: ${Math.round(ackedPerS)} acks/s, ack p99 ${ms(r.ackLatency.percentile(99)).toFixed(1)} ms, ${r.errors} errors ${r.firstError ?? ''}`,
    )
    return {
      figures: {
        ackedPerS: Math.round(ackedPerS),
        ackP99Ms: ms(r.ackLatency.percentile(99)),
        cpuPct: (100 * cpu.cpuS) / cpu.wallS,
      },
      details: {
        rooms: roomCount,
        senders: connected,
        window,
        durationMs,
        acked: r.acked,
        errors: r.errors,
        firstError: r.firstError,
        ackP50Ms: ms(r.ackLatency.percentile(50)),
      },
    }
  },
}
