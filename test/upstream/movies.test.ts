// Movies feed: single-flight, stale-while-revalidate on an injected clock, and every failure as UpstreamError.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpClient, UpstreamError, type HttpClient } from '../../src/upstream/http-client.js'
import { createMoviesService, topTitles } from '../../src/upstream/movies.js'
import { useLocalServers, type Handler } from './support/local-server.js'

const startServer = useLocalServers()
const clients: HttpClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

class FakeClock {
  constructor(public ms = 1_000_000) {}
  now(): number {
    return this.ms
  }
}

async function setup(
  handler: Handler,
  options: { timeoutMs?: number; maxBodyBytes?: number } = {},
) {
  const server = await startServer(handler)
  const client = createHttpClient({ allowPrivate: true })
  clients.push(client)
  const clock = new FakeClock()
  const refreshErrors: UpstreamError[] = []
  const movies = createMoviesService({
    client,
    upstreamUrl: `${server.url}/movies`,
    cacheTtlMs: 60_000,
    clock,
    onRefreshError: (e) => refreshErrors.push(e),
    ...options,
  })
  return { server, movies, clock, refreshErrors, hits: () => server.hits.get('/movies') ?? 0 }
}

/**
 * An upstream whose answer carries a version number that goes up on every hit; each answer waits
 * `delayMs`, and from the `heldFrom`-th hit on also until `release()`.
 */
function versioned(delayMs = 50, heldFrom = Infinity): Handler & { release: () => void } {
  let version = 0
  let release = (): void => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    version++
    const body = JSON.stringify({ version, subjects: [{ title: `Film ${version}` }] })
    void (version >= heldFrom ? released : Promise.resolve()).then(() =>
      setTimeout(() => {
        res.setHeader('content-type', 'application/json')
        res.end(body)
      }, delayMs),
    )
  }
  return Object.assign(handler, { release: () => release() })
}

describe('movies service', () => {
  it('coalesces 100 concurrent gets into one upstream call', async () => {
    const { movies, hits } = await setup(versioned())
    const answers = await Promise.all(Array.from({ length: 100 }, () => movies.get()))
    expect(hits()).toBe(1)
    expect(new Set(answers).size).toBe(1)
    expect(topTitles(answers[0], 5)).toEqual(['Film 1'])
  })

  it('serves fresh from cache, then stale at once while one background refresh runs', async () => {
    const upstream = versioned(50, 2) // the refresh is held until released
    const { movies, clock, hits } = await setup(upstream)
    expect(await movies.get()).toMatchObject({ version: 1 })
    clock.ms += 59_000
    expect(await movies.get()).toMatchObject({ version: 1 })
    expect(hits()).toBe(1)

    clock.ms += 2_000 // now stale
    // These resolve while the refresh is still held upstream: they did not wait for it.
    const staleAnswers = await Promise.all(Array.from({ length: 20 }, () => movies.get()))
    expect(staleAnswers.every((a) => (a as { version: number }).version === 1)).toBe(true)
    upstream.release()

    // Stale reads while the refresh runs start no other: wait until it has landed.
    await expect.poll(async () => ((await movies.get()) as { version: number }).version).toBe(2)
    expect(hits()).toBe(2) // one refresh for twenty stale readers
  })

  it('keeps serving stale when the background refresh fails, and reports it', async () => {
    let fail = false
    const ok = versioned(0)
    const { movies, clock, refreshErrors } = await setup((req, res) => {
      if (!fail) return ok(req, res)
      res.statusCode = 503
      res.end()
    })
    await movies.get()
    fail = true
    clock.ms += 61_000
    expect(await movies.get()).toMatchObject({ version: 1 })
    await expect.poll(() => refreshErrors.length).toBe(1)
    expect(refreshErrors.map((e) => e.reason)).toEqual(['bad_status'])
    expect(await movies.get()).toMatchObject({ version: 1 })
  })

  it('waits for the upstream again once the copy is too old to serve', async () => {
    const { movies, clock, hits } = await setup(versioned(0))
    await movies.get()
    clock.ms += 60_000 + 600_000 // past TTL + maxStale (10 × TTL)
    expect(await movies.get()).toMatchObject({ version: 2 })
    expect(hits()).toBe(2)
  })

  it.each([
    ['bad_status', (_req, res) => ((res.statusCode = 500), res.end('{}'))] as const,
    ['bad_content', (_req, res) => res.end('<html>not json</html>')] as const,
    ['too_large', (_req, res) => res.end(JSON.stringify({ pad: 'x'.repeat(5_000) }))] as const,
    ['timeout', (_req, res) => void setTimeout(() => res.end('{}'), 1_000).unref()] as const,
  ] satisfies (readonly [string, Handler])[])(
    'throws UpstreamError(%s)',
    async (reason, handler) => {
      const { movies } = await setup(handler, { timeoutMs: 200, maxBodyBytes: 1_000 })
      const error = await movies.get().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UpstreamError)
      expect((error as UpstreamError).reason).toBe(reason)
    },
  )

  it('tries again after a failure instead of caching it', async () => {
    let calls = 0
    const { movies } = await setup((_req, res) => {
      calls++
      if (calls === 1) {
        res.statusCode = 502
        res.end()
        return
      }
      res.end('{"subjects":[]}')
    })
    await expect(movies.get()).rejects.toBeInstanceOf(UpstreamError)
    await expect(movies.get()).resolves.toEqual({ subjects: [] })
  })
})

describe('topTitles', () => {
  it('reads the Douban shape', () => {
    const json = { subjects: [{ title: ' A  film ', rate: '8.0' }, { title: 'B' }, { title: 'C' }] }
    expect(topTitles(json, 2)).toEqual(['A film', 'B'])
  })

  it('tolerates other shapes and junk', () => {
    expect(topTitles([{ name: 'X' }, 'Y', 3, null, { title: '' }], 10)).toEqual(['X', 'Y'])
    expect(topTitles({ results: [{ title: 'R' }] }, 10)).toEqual(['R'])
    expect(topTitles({ data: [{ original_title: 'O' }] }, 10)).toEqual(['O'])
    expect(topTitles(null, 3)).toEqual([])
    expect(topTitles('text', 3)).toEqual([])
    expect(topTitles({ subjects: 'no' }, 3)).toEqual([])
  })
})
