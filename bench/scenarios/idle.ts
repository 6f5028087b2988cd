/**
 * idle: C idle connections (Eddy: signed in and joined to a room; Socket.IO: connected to the
 * namespace; bare: open), server RSS growth per connection. A fresh server per size.
 */
import { rssBytes } from '../metrics/proc.js'
import { connectAll, sleep, type FigureSpec, type Scenario } from './context.js'

function sizes(quick: boolean): number[] {
  return quick ? [5_000] : [5_000, 19_000]
}

export const idle: Scenario = {
  name: 'idle',
  description: 'idle signed-in connections: server RSS per connection',
  kinds: ['bare', 'socketio', 'eddy'],
  figures: (quick) =>
    sizes(quick).map((c): FigureSpec => ({
      key: `c${c}.rssKiBPerConn`,
      label: `idle C=${c}: server RSS per connection`,
      unit: 'KiB',
      better: 'lower',
      ...(c === 19_000
        ? {
            goal: {
              text: '≤ 1.5 × bare',
              met: (e: number, b: number | null) => (b === null ? null : e <= 1.5 * b),
            },
          }
        : {}),
    })),
  async run(ctx) {
    const figures: Record<string, number> = {}
    const details: Record<string, unknown> = {}
    for (const c of sizes(ctx.quick)) {
      const started = await ctx.startServer({ rooms: ['lobby'] })
      await sleep(1_000)
      const before = rssBytes(started.server.pid)
      const connected = await connectAll(ctx, started, c, ['lobby'], 128)
      await sleep(3_000) // let the server settle (GC, buffers)
      const after = rssBytes(started.server.pid)
      figures[`c${c}.rssKiBPerConn`] = (after - before) / 1024 / connected
      details[`c${c}`] = { connected, rssBeforeMiB: before / 2 ** 20, rssAfterMiB: after / 2 ** 20 }
      ctx.log(
        `  C=${c}: ${connected} connected, RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MiB, ${figures[`c${c}.rssKiBPerConn`]!.toFixed(1)} KiB/conn`,
      )
      await ctx.pool.closeAll()
      await started.server.stop()
    }
    return { figures, details }
  },
}
