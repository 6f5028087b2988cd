// 1,000 concurrent calls to one slow upstream run side by side, not 10 at a time (Tornado's max_clients).
import { afterEach, expect, it } from 'vitest'
import { createHttpClient, type HttpClient } from '../../src/upstream/http-client.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()
let client: HttpClient | undefined
afterEach(async () => {
  await client?.close()
})

it('1,000 concurrent calls to a 300 ms upstream finish in about 300 ms', async () => {
  const UPSTREAM_MS = 300
  const CALLS = 1_000
  const server = await startServer((req, res) => {
    setTimeout(() => res.end('{"ok":true}'), req.url === '/warm' ? 0 : UPSTREAM_MS)
  })
  client = createHttpClient({ allowPrivate: true })
  const c = client
  const burst = async (path: string) => {
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: CALLS }, () => c.request(server.url + path)),
    )
    expect(results.every((r) => r.status === 200)).toBe(true)
    return performance.now() - started
  }
  // Cold: 1,000 TCP connects, both ends in this one process. Warm: keep-alive sockets reused.
  const coldMs = await burst('/warm')
  const warmMs = await burst('/slow')
  console.info(
    `${CALLS} calls: cold pool to a 0 ms upstream ${Math.round(coldMs)} ms; ` +
      `warm pool to a ${UPSTREAM_MS} ms upstream ${Math.round(warmMs)} ms`,
  )
  // Queued 10 at a time (Tornado's default) the slow burst would take 100 × 300 ms = 30 s.
  expect(server.hits.get('/slow')).toBe(CALLS)
  expect(warmMs).toBeGreaterThanOrEqual(UPSTREAM_MS - 5)
  // The bound leaves room for both ends sharing one CPU with parallel test files.
  expect(warmMs).toBeLessThan(UPSTREAM_MS + 1_500)
})
