/**
 * Server CPU per HTTP request, by route: `npx tsx bench/request-cost.ts`. Rounds of 1,000
 * concurrent keep-alive GETs (the burst the slow-upstream scenario sends); CPU time from /proc,
 * so the figure holds on a busy machine too.
 */
import { Agent, createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpuSeconds } from './metrics/proc.js'
import { launchEddy } from './servers/eddy.js'

const BURST = 1_000
const ROUNDS = 5

const upstream = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ subjects: [{ title: 'Bench Movie 1' }, { title: 'Bench Movie 2' }] }))
})
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
const eddy = await launchEddy({
  users: 1,
  rooms: [],
  ...(process.env['PROF_DIR']
    ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env['PROF_DIR']}`] }
    : {}),
  env: {
    MOVIES_UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/j`,
    ALLOW_PRIVATE_UPSTREAMS: '1',
  },
})
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: BURST })
const request = (path: string) =>
  new Promise<number>((resolve, reject) => {
    get(
      `${eddy.httpUrl}${path}`,
      { agent, headers: { authorization: `Bearer ${eddy.tokens[0]!}` } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    ).on('error', reject)
  })
const burst = (path: string) => Promise.all(Array.from({ length: BURST }, () => request(path)))

try {
  await burst('/healthz') // opens the keep-alive connections
  for (const path of ['/healthz', '/api/me', '/api/movies', '/api/rooms']) {
    await burst(path) // warm
    const cpu0 = cpuSeconds(eddy.pid)
    for (let i = 0; i < ROUNDS; i++) {
      const statuses = await burst(path)
      if (statuses.some((s) => s !== 200))
        throw new Error(`${path}: ${statuses.find((s) => s !== 200)}`)
    }
    const us = ((cpuSeconds(eddy.pid) - cpu0) * 1e6) / (BURST * ROUNDS)
    console.log(`${path.padEnd(12)} ${us.toFixed(0)} µs of server CPU per request`)
  }
} finally {
  agent.destroy()
  await eddy.stop()
  upstream.close()
}
