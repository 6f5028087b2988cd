// The shared client against local servers: timeouts, statuses, size caps, redirects, SSRF refusals.
import { afterEach, describe, expect, it } from 'vitest'
import {
  createHttpClient,
  UpstreamError,
  type HttpClient,
  type HttpClientOptions,
} from '../../src/upstream/http-client.js'
import { isBlockedAddress } from '../../src/upstream/ssrf-guard.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()
const clients: HttpClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})
function client(options: HttpClientOptions = {}): HttpClient {
  const c = createHttpClient(options)
  clients.push(c)
  return c
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError)
    return (error as UpstreamError).reason
  }
  throw new Error('expected the call to fail')
}

describe('http client (allowPrivate for local test servers)', () => {
  it('returns status, lower-cased headers and the body', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('X-Thing', 'yes')
      res.end('hello')
    })
    const res = await client({ allowPrivate: true }).request(`${server.url}/a?b=1`)
    expect(res.status).toBe(200)
    expect(res.headers['x-thing']).toBe('yes')
    expect(res.body.toString()).toBe('hello')
    expect(res.url).toBe(`${server.url}/a?b=1`)
  })

  it('times out a slow upstream', async () => {
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref()
    })
    const started = performance.now()
    expect(
      await reason(client({ allowPrivate: true }).request(server.url, { timeoutMs: 200 })),
    ).toBe('timeout')
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('times out a body that stalls after the headers', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('partial')
    })
    expect(
      await reason(client({ allowPrivate: true }).request(server.url, { timeoutMs: 200 })),
    ).toBe('timeout')
  })

  it('maps a 500 to bad_status with the status', async () => {
    const server = await startServer((_req, res) => {
      res.statusCode = 500
      res.end('boom')
    })
    const error = await client({ allowPrivate: true })
      .request(server.url)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect((error as UpstreamError).reason).toBe('bad_status')
    expect((error as UpstreamError).status).toBe(500)
  })

  it('refuses an oversize body by content-length and while streaming', async () => {
    const big = Buffer.alloc(64 * 1024, 'x')
    const server = await startServer((req, res) => {
      if (req.url === '/declared') {
        res.end(big)
        return
      }
      res.writeHead(200) // chunked: no length up front
      res.write(big.subarray(0, 32 * 1024))
      // The rest comes later, as its own chunk: the client must count across chunks.
      setTimeout(() => res.end(big.subarray(32 * 1024)), 20)
    })
    const c = client({ allowPrivate: true, maxBodyBytes: 40 * 1024 })
    expect(await reason(c.request(`${server.url}/declared`))).toBe('too_large')
    expect(await reason(c.request(`${server.url}/streamed`))).toBe('too_large')
  })

  it('follows up to maxRedirects hops and refuses one more', async () => {
    const server = await startServer((req, res) => {
      const n = Number(req.url?.slice(1))
      if (n > 0) {
        res.writeHead(302, { location: `/${n - 1}` }) // relative Location resolves per hop
        res.end()
        return
      }
      res.end('landed')
    })
    const c = client({ allowPrivate: true })
    const res = await c.request(`${server.url}/3`, { maxRedirects: 3 })
    expect(res.body.toString()).toBe('landed')
    expect(res.url).toBe(`${server.url}/0`)
    expect(await reason(c.request(`${server.url}/4`, { maxRedirects: 3 }))).toBe(
      'too_many_redirects',
    )
  })

  it('stops a redirect loop', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(301, { location: '/loop' })
      res.end()
    })
    expect(await reason(client({ allowPrivate: true }).request(`${server.url}/loop`))).toBe(
      'too_many_redirects',
    )
    expect(server.hits.get('/loop')).toBe(4) // the first call + 3 followed hops
  })

  it('refuses a redirect to a non-http scheme', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' })
      res.end()
    })
    expect(await reason(client({ allowPrivate: true }).request(server.url))).toBe('blocked')
  })

  it('rejects a content-type the caller does not accept before reading the body', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('content-type', 'image/png')
      res.end(Buffer.alloc(10))
    })
    const call = client({ allowPrivate: true }).request(server.url, {
      acceptContentType: (ct) => ct.startsWith('text/html'),
    })
    expect(await reason(call)).toBe('bad_content')
  })

  it("honours the caller's AbortSignal", async () => {
    const controller = new AbortController()
    // The caller gives up once the request is in flight, while the upstream still dawdles.
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref()
      controller.abort()
    })
    const call = client({ allowPrivate: true }).request(server.url, { signal: controller.signal })
    expect(await reason(call)).toBe('aborted')
  })

  it('reports a refused connection as network', async () => {
    const server = await startServer((_req, res) => res.end())
    const url = server.url
    await server.close()
    expect(await reason(client({ allowPrivate: true }).request(url))).toBe('network')
  })
})

describe('SSRF guard in the client (allowPrivate false)', () => {
  it('refuses 127.0.0.1 directly, before connecting', async () => {
    const server = await startServer((_req, res) => res.end('secret'))
    expect(await reason(client().request(server.url))).toBe('blocked')
    expect(server.hits.size).toBe(0)
  })

  it('refuses a name that resolves to loopback (checked after DNS)', async () => {
    const server = await startServer((_req, res) => res.end('secret'))
    expect(await reason(client().request(`http://localhost:${server.port}/`))).toBe('blocked')
    expect(server.hits.size).toBe(0)
  })

  it('refuses IPv6 loopback and IPv4-mapped loopback literals', async () => {
    const c = client()
    expect(await reason(c.request('http://[::1]:9/'))).toBe('blocked')
    expect(await reason(c.request('http://[::ffff:127.0.0.1]:9/'))).toBe('blocked')
    expect(await reason(c.request('http://169.254.169.254/latest/meta-data/'))).toBe('blocked')
  })

  it('checks every redirect hop, not only the first', async () => {
    // Policy: 127.0.0.1 stands in for "a public server"; everything else private stays refused.
    const policy = (address: string) => address !== '127.0.0.1' && isBlockedAddress(address)
    const target = await startServer((_req, res) => res.end('internal'))
    const entry = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.2:${target.port}/admin` })
      res.end()
    })
    const c = client({ isBlockedAddress: policy })
    expect((await c.request(`${target.url}/ok`)).body.toString()).toBe('internal')
    expect(await reason(c.request(`${entry.url}/go`))).toBe('blocked')
    expect(entry.hits.get('/go')).toBe(1)
    expect(target.hits.get('/admin')).toBeUndefined()
  })

  it('refuses non-http schemes and junk URLs', async () => {
    const c = client()
    expect(await reason(c.request('file:///etc/passwd'))).toBe('blocked')
    expect(await reason(c.request('not a url'))).toBe('blocked')
  })
})

describe('redirect hygiene', () => {
  it('drops credentials when a redirect leaves the origin', async () => {
    const seen: (string | undefined)[] = []
    const other = await startServer((req, res) => {
      seen.push(req.headers.authorization)
      res.end('other')
    })
    const first = await startServer((req, res) => {
      seen.push(req.headers.authorization)
      res.writeHead(302, { location: `${other.url}/landing` })
      res.end()
    })
    const res = await client({ allowPrivate: true }).request(first.url, {
      headers: { Authorization: 'Bearer secret' },
    })
    expect(res.body.toString()).toBe('other')
    expect(seen).toEqual(['Bearer secret', undefined])
  })
})

describe('warm-up', () => {
  const sockets = () =>
    process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap')
      .length

  it('runs once per process and leaves no server or socket behind', async () => {
    const before = sockets()
    const first = client().warmUp()
    expect(client().warmUp()).toBe(first)
    await first
    await expect.poll(sockets).toBeLessThanOrEqual(before)
  })
})
