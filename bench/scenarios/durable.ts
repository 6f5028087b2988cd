/**
 * durable sends (Eddy only: the references store nothing and ack nothing): many rooms, many
 * senders, each keeping a window of unacked messages in flight; acked (committed) messages/s.
 * Then the same again with 10% edits and 10% reactions among the sends (issue 12), as lines of
 * their own so the plain figures stay comparable with earlier runs.
 */
import { ISSUE_MIX, type ChangeMix } from '../load/changes.js'
import { cpuMeter, mainThreadCpuSeconds } from '../metrics/proc.js'
import { connectAll, ms, type Scenario, type ScenarioContext } from './context.js'

/** One timed phase of durable sends, with or without changes mixed in. */
async function measure(
  ctx: ScenarioContext,
  pid: number,
  durationMs: number,
  window: number,
  mix?: ChangeMix,
) {
  const phase = ctx.nextPhase()
  await ctx.pool.phase(phase)
  const meter = cpuMeter([pid])
  const main0 = mainThreadCpuSeconds(pid)
  const r = await ctx.pool.durable({ phase, durationMs, window, ...(mix ? { mix } : {}) })
  const cpu = meter()
  // Per ack, so the figures compare between runs however starved the server was on a shared box.
  const acked = Math.max(1, r.acked)
  return {
    r,
    cpu,
    ackedPerS: r.acked / (durationMs / 1000),
    cpuUsPerAck: (cpu.cpuS * 1e6) / acked,
    mainUsPerAck: ((mainThreadCpuSeconds(pid) - main0) * 1e6) / acked,
  }
}

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
    {
      key: 'cpuUsPerAck',
      label: 'durable sends: server CPU per ack',
      unit: 'µs',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'mainUsPerAck',
      label: 'durable sends: event-loop thread CPU per ack',
      unit: 'µs',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'mixedAckedPerS',
      label: 'durable, 10% edits + 10% reactions: acked/s',
      unit: '/s',
      better: 'higher',
      eddyOnly: true,
    },
    {
      key: 'mixedAckP99Ms',
      label: 'durable, 10% edits + 10% reactions: ack p99',
      unit: 'ms',
      better: 'lower',
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
    const pid = started.server.pid
    const { r, cpu, ackedPerS, cpuUsPerAck, mainUsPerAck } = await measure(
      ctx,
      pid,
      durationMs,
      window,
    )
    ctx.log(
      `  ${connected} senders in ${roomCount} rooms: ${Math.round(ackedPerS)} acks/s, ack p99 ${ms(r.ackLatency.percentile(99)).toFixed(1)} ms, ${r.errors} errors ${r.firstError ?? ''}`,
    )
    ctx.log(
      `  CPU per ack: ${cpuUsPerAck.toFixed(1)} µs in all, ${mainUsPerAck.toFixed(1)} µs on the event loop`,
    )
    const mixed = await measure(ctx, pid, durationMs, window, ISSUE_MIX)
    ctx.log(
      `  with 10% edits + 10% reactions: ${Math.round(mixed.ackedPerS)} acks/s (${mixed.r.ackedChanges} changes), ack p99 ${ms(mixed.r.ackLatency.percentile(99)).toFixed(1)} ms, ${mixed.r.errors} errors ${mixed.r.firstError ?? ''}`,
    )
    return {
      figures: {
        ackedPerS: Math.round(ackedPerS),
        ackP99Ms: ms(r.ackLatency.percentile(99)),
        cpuPct: (100 * cpu.cpuS) / cpu.wallS,
        cpuUsPerAck,
        mainUsPerAck,
        mixedAckedPerS: Math.round(mixed.ackedPerS),
        mixedAckP99Ms: ms(mixed.r.ackLatency.percentile(99)),
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
        mixed: {
          mix: ISSUE_MIX,
          acked: mixed.r.acked,
          ackedChanges: mixed.r.ackedChanges,
          errors: mixed.r.errors,
          firstError: mixed.r.firstError,
          ackP50Ms: ms(mixed.r.ackLatency.percentile(50)),
          cpuPct: (100 * mixed.cpu.cpuS) / mixed.cpu.wallS,
          cpuUsPerAck: mixed.cpuUsPerAck,
          mainUsPerAck: mixed.mainUsPerAck,
        },
      },
    }
  },
}
