// HTTP edges an attacker or an operator meets: slow request headers, and one log line per request.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort, freshDataDir, spawnServer, startServer } from '../support/start-server.js'

describe('slow request headers (slowloris)', () => {
  it(
    'answers 408 and closes a connection whose headers stall past HEADERS_TIMEOUT_MS',
    { timeout: 10_000 },
    async () => {
      // Node's default check runs every 30 s, far past this test's timeout: only a prompt check passes.
      const server = await startServer({ HEADERS_TIMEOUT_MS: '500' })
      const answer = await new Promise<string>((resolve, reject) => {
        let received = ''
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
        })
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
        socket.on('error', reject)
        socket.on('close', () => resolve(received))
      })
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    },
  )
})

describe('request logging', () => {
  it('writes one line per request at info level', { timeout: 60_000 }, async () => {
    const server = await spawnServer({ PORT: String(await freePort()), DATA_DIR: freshDataDir() })
    const response = await fetch(`${server.url}/healthz?probe=one-line`)
    expect(response.status).toBe(200)
    const lines = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('probe=one-line'))
    await expect.poll(() => lines().some((line) => line.includes('"statusCode":200'))).toBe(true)
    expect(lines()).toHaveLength(1)
    expect(JSON.parse(lines()[0]!)).toMatchObject({
      level: 30,
      method: 'GET',
      url: '/healthz?probe=one-line',
      statusCode: 200,
      msg: 'request',
    })
  })
})
