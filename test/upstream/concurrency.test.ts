// 1,000 concurrent calls to one slow upstream run side by side, not 10 at a time (Tornado's max_clients).
import type http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { createHttpClient, type HttpClient } from '../../src/upstream/http-client.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()
const CALLS = 1_000
let client: HttpClient | undefined
afterEach(async () => {
  await client?.close()
})

async function burst(c: HttpClient, url: string): Promise<number> {
  const started = performance.now()
  const results = await Promise.all(
    Array.from({ length: CALLS }, () => c.request(url, { timeoutMs: 20_000 })),
  )
  expect(results.every((r) => r.status === 200)).toBe(true)
  return performance.now() - started
}

it('holds 1,000 calls open at the upstream at the same time', async () => {
  // A barrier: nobody is answered until all 1,000 are waiting. A client that queued 10 at a
  // time would stall here (then fail on the safety timer) whatever the machine's load.
  const waiting: http.ServerResponse[] = []
  let peak = 0
  const release = () => waiting.splice(0).forEach((res) => res.end('ok'))
  const safety = setTimeout(release, 15_000)
  const server = await startServer((_req, res) => {
    waiting.push(res)
    peak = Math.max(peak, waiting.length)
    if (waiting.length === CALLS) release()
  })
  client = createHttpClient({ allowPrivate: true })
  await burst(client, `${server.url}/barrier`)
  clearTimeout(safety)
  expect(peak).toBe(CALLS)
})

it('1,000 concurrent calls to a 300 ms upstream take about one upstream delay', async () => {
  const UPSTREAM_MS = 300
  const server = await startServer((req, res) => {
    setTimeout(() => res.end('{"ok":true}'), req.url === '/warm' ? 0 : UPSTREAM_MS)
  })
  client = createHttpClient({ allowPrivate: true })
  // Cold: 1,000 TCP connects, both ends in this one process. Warm: keep-alive sockets reused.
  const coldMs = await burst(client, `${server.url}/warm`)
  const warmMs = await burst(client, `${server.url}/slow`)
  console.info(
    `${CALLS} calls: cold pool to a 0 ms upstream ${Math.round(coldMs)} ms; ` +
      `warm pool to a ${UPSTREAM_MS} ms upstream ${Math.round(warmMs)} ms`,
  )
  expect(server.hits.get('/slow')).toBe(CALLS)
  expect(warmMs).toBeGreaterThanOrEqual(UPSTREAM_MS - 5)
  // Queued 10 at a time (Tornado's default) this burst takes 100 × 300 ms = 30 s. On a quiet
  // 2-CPU machine it takes 0.55-0.9 s; the loose bound keeps a loaded CI box from flaking.
  expect(warmMs).toBeLessThan(10_000)
})
