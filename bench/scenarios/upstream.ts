/**
 * slow upstream (Eddy only: the references have no /api/movies): chat p99 (C = 100, 10k
 * deliveries/s) without, then with 1,000 GET /api/movies in flight against a local upstream that
 * answers after 2 s; and how long those calls took. The tutorial's Tornado client queues such
 * calls 10 at a time (50 calls to a 2 s upstream took ~10 s each). The callers run in a process of
 * their own at niceness 10 (upstream-callers.ts): they stand for other machines.
 */
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { LatencyHistogram } from '../metrics/histogram.js'
import type { CallersReport, CallersSetup } from './upstream-callers.js'
import { connectAll, measureChat, ms, sleep, summary, type Scenario } from './context.js'

export const UPSTREAM_DELAY_MS = 2_000
export const CALLS = 1_000
export const CLIENTS = 100

export async function slowUpstream() {
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

const CALLERS_PATH = fileURLToPath(new URL('./upstream-callers.ts', import.meta.url))

/** Forks the callers (upstream-callers.ts) and waits until their connections are warm. */
export async function startCallers(setup: CallersSetup) {
  const child = fork(CALLERS_PATH, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = () =>
    new Promise<CallersReport>((resolve, reject) => {
      child.once('message', resolve)
      child.once('exit', (code) => reject(new Error(`upstream callers exited with ${code}`)))
    })
  const ready = next()
  child.send(setup)
  await ready
  return {
    async fire() {
      const done = next()
      child.send({ kind: 'fire' })
      const report = await done
      if (report.kind !== 'done') throw new Error('upstream callers answered out of turn')
      return report
    },
    /** A thousand connections closing at once is an event of its own: not in the measurement. */
    close() {
      child.send({ kind: 'close' })
    },
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
      const callers = await startCallers({
        kind: 'setup',
        baseUrl: started.server.httpUrl,
        token: started.tokens[0]!,
        calls: CALLS,
      })
      const calls = (async () => {
        await sleep(500) // the chat phase is running by then
        return callers.fire()
      })()
      const loaded = await measureChat(ctx, started.server, chat)
      const { durationsUs, statuses } = await calls
      callers.close()
      const durations = new LatencyHistogram()
      for (const us of durationsUs) durations.record(us)
      // Let the server finish closing those 1,000 connections, so the baseline measures chat
      // alone and not the tail of the teardown.
      await sleep(1_000)
      // The baseline comes second: the warm connections above must not sit idle past the
      // server's keep-alive timeout while it runs.
      const without = await measureChat(ctx, started.server, chat)
      const p99Without = ms(without.stats.latency.percentile(99))
      const p99With = ms(loaded.stats.latency.percentile(99))
      ctx.log(
        `  chat p99 ${p99Without.toFixed(1)} → ${p99With.toFixed(1)} ms; calls p50 ${(durations.percentile(50) / 1e6).toFixed(2)} s, max ${(durations.maxUs / 1e6).toFixed(2)} s, statuses ${JSON.stringify(statuses)}, upstream hits ${up.hits()}`,
      )
      return {
        figures: {
          p99WithoutMs: p99Without,
          p99WithMs: p99With,
          // Without a single 200 the calls never waited on the upstream: no verdict.
          ratio:
            (statuses['200'] ?? 0) > 0
              ? p99With / p99Without
              : `n/a: calls answered ${JSON.stringify(statuses)}`,
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
