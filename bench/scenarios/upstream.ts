/**
 * slow upstream (Eddy only: the references have no /api/movies): chat p99 (C = 100, 10k
 * deliveries/s) without, then with 1,000 GET /api/movies in flight against a local upstream that
 * answers after 2 s; and how long those calls took. The tutorial's Tornado client queues such
 * calls 10 at a time (50 calls to a 2 s upstream took ~10 s each).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LatencyHistogram } from '../metrics/histogram.js'
import { connectAll, measureChat, ms, summary, type Scenario } from './context.js'

const UPSTREAM_DELAY_MS = 2_000
const CALLS = 1_000
const CLIENTS = 100

async function slowUpstream() {
  let hits = 0
  const server = createServer((_req, res) => {
    hits++
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ subjects: [{ title: 'Bench Movie 1' }, { title: 'Bench Movie 2' }] }),
      )
    }, UPSTREAM_DELAY_MS)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/j/search_subjects`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export const upstream: Scenario = {
  name: 'upstream',
  description: `chat p99 with and without ${CALLS} /api/movies calls in flight to a ${UPSTREAM_DELAY_MS / 1000} s upstream`,
  kinds: ['eddy'],
  figures: () => [
    {
      key: 'p99WithoutMs',
      label: 'slow upstream: chat p99 without',
      unit: 'ms',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'p99WithMs',
      label: `slow upstream: chat p99 with ${CALLS} calls`,
      unit: 'ms',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'ratio',
      label: 'slow upstream: p99 with / without',
      unit: '×',
      better: 'lower',
      eddyOnly: true,
      goal: { text: '≤ 1.2', met: (e) => e <= 1.2 },
    },
    {
      key: 'callP50S',
      label: 'slow upstream: /api/movies call p50',
      unit: 's',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'callMaxS',
      label: 'slow upstream: /api/movies call max',
      unit: 's',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'callsOk',
      label: 'slow upstream: calls answered 200',
      unit: '',
      better: 'higher',
      eddyOnly: true,
    },
  ],
  async run(ctx) {
    const up = await slowUpstream()
    try {
      const started = await ctx.startServer({
        rooms: ['lobby'],
        env: { MOVIES_UPSTREAM_URL: up.url, ALLOW_PRIVATE_UPSTREAMS: '1' },
      })
      const receivers = await connectAll(ctx, started, CLIENTS, ['lobby'])
      const chat = { receivers, ratePerS: 10_000 / receivers, senders: 10, durationMs: 4_000 }
      const without = await measureChat(ctx, started.server, chat)

      const durations = new LatencyHistogram()
      const statuses: Record<string, number> = {}
      const token = started.tokens[0]!
      const call = async () => {
        const t0 = performance.now()
        try {
          const res = await fetch(`${started.server.httpUrl}/api/movies`, {
            headers: { authorization: `Bearer ${token}` },
          })
          await res.arrayBuffer()
          statuses[res.status] = (statuses[res.status] ?? 0) + 1
        } catch (error) {
          const key = (error as Error).message
          statuses[key] = (statuses[key] ?? 0) + 1
        }
        durations.record((performance.now() - t0) * 1000)
      }
      const calls = (async () => {
        await new Promise((r) => setTimeout(r, 500)) // the chat phase is running by then
        // Opened over 0.5 s, not in one instant: 1,000 SYNs at once overflow a 511 listen
        // backlog and the kernel's 1 s / 3 s / 7 s SYN retries would be measured instead.
        await Promise.all(
          Array.from({ length: CALLS }, async (_, i) => {
            await new Promise((r) => setTimeout(r, i * (500 / CALLS)))
            await call()
          }),
        )
      })()
      const loaded = await measureChat(ctx, started.server, chat)
      await calls
      const p99Without = ms(without.stats.latency.percentile(99))
      const p99With = ms(loaded.stats.latency.percentile(99))
      ctx.log(
        `  chat p99 ${p99Without.toFixed(1)} → ${p99With.toFixed(1)} ms; calls p50 ${(durations.percentile(50) / 1e6).toFixed(2)} s, max ${(durations.maxUs / 1e6).toFixed(2)} s, statuses ${JSON.stringify(statuses)}, upstream hits ${up.hits()}`,
      )
      return {
        figures: {
          p99WithoutMs: p99Without,
          p99WithMs: p99With,
          ratio: p99With / p99Without,
          callP50S: durations.percentile(50) / 1e6,
          callMaxS: durations.maxUs / 1e6,
          callsOk: statuses['200'] ?? 0,
        },
        details: {
          without: summary(without),
          with: summary(loaded),
          statuses,
          upstreamHits: up.hits(),
          upstreamDelayMs: UPSTREAM_DELAY_MS,
        },
      }
    } finally {
      await up.close()
    }
  },
}
