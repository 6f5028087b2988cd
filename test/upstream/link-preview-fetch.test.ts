// Link previews end to end against local pages, and the background queue's bounds.
import { afterEach, describe, expect, it } from 'vitest'
import type { LinkPreview } from '../../src/protocol/frames.js'
import { createHttpClient, type HttpClient } from '../../src/upstream/http-client.js'
import { extractUrls, fetchPreview } from '../../src/upstream/link-preview-fetch.js'
import { createLinkPreviewer } from '../../src/upstream/link-preview-queue.js'
import { delay, useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()
const clients: HttpClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})
function client(allowPrivate: boolean): HttpClient {
  const c = createHttpClient({ allowPrivate })
  clients.push(c)
  return c
}

const PAGE = `<html><head><meta property="og:title" content="Hello &amp; welcome">
<meta property="og:image" content="/cover.jpg"><meta name="description" content="A page"></head></html>`

describe('extractUrls', () => {
  it('finds the first three distinct http(s) URLs and trims sentence punctuation', () => {
    const text =
      'see https://a.example/x. and (http://b.example/y), https://a.example/x again, ' +
      'https://en.wikipedia.org/wiki/Foo_(bar)! ftp://no.example https://d.example/4'
    expect(extractUrls(text)).toEqual([
      'https://a.example/x',
      'http://b.example/y',
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ])
  })

  it('skips credentials and junk', () => {
    expect(extractUrls('http://user:pw@x.example/ https://ok.example')).toEqual([
      'https://ok.example/',
    ])
    expect(extractUrls('no links here, just http:// and https://')).toEqual([])
  })
})

describe('fetchPreview', () => {
  it('builds a preview from an HTML page', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(PAGE)
    })
    const url = `${server.url}/post`
    expect(await fetchPreview(client(true), url)).toEqual({
      url,
      title: 'Hello & welcome',
      description: 'A page',
      image: `${server.url}/cover.jpg`,
    })
  })

  it('decodes a declared charset', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=iso-8859-1')
      res.end(Buffer.from('<title>Caf\xe9</title>', 'latin1'))
    })
    expect((await fetchPreview(client(true), server.url))?.title).toBe('Café')
  })

  it('returns null for non-HTML, errors, oversize, redirect chains and blocked hosts', async () => {
    const server = await startServer((req, res) => {
      const path = req.url ?? '/'
      if (path === '/image') {
        res.setHeader('content-type', 'image/png')
        res.end(Buffer.alloc(100))
      } else if (path === '/missing') {
        res.statusCode = 404
        res.end(PAGE)
      } else if (path === '/huge') {
        res.setHeader('content-type', 'text/html')
        res.end('<title>x</title>' + ' '.repeat(1024 * 1024 + 1))
      } else if (path.startsWith('/hop')) {
        const n = Number(path.slice(4))
        res.writeHead(302, { location: n > 0 ? `/hop${n - 1}` : '/page' })
        res.end()
      } else {
        res.setHeader('content-type', 'text/html')
        res.end(PAGE)
      }
    })
    const c = client(true)
    expect(await fetchPreview(c, `${server.url}/image`)).toBeNull()
    expect(await fetchPreview(c, `${server.url}/missing`)).toBeNull()
    expect(await fetchPreview(c, `${server.url}/huge`)).toBeNull()
    expect((await fetchPreview(c, `${server.url}/hop2`))?.title).toBe('Hello & welcome') // 3 hops
    expect(await fetchPreview(c, `${server.url}/hop3`)).toBeNull() // 4 hops
    expect(await fetchPreview(client(false), `${server.url}/page`)).toBeNull()
    expect(await fetchPreview(client(false), `http://localhost:${server.port}/page`)).toBeNull()
    expect(server.hits.get('/page')).toBe(1) // only the allowed 3-hop chain reached it
  })

  it('times out a slow page', async () => {
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end(PAGE), 2_000).unref()
    })
    const started = performance.now()
    expect(await fetchPreview(client(true), server.url, { timeoutMs: 150 })).toBeNull()
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('createLinkPreviewer', () => {
  const preview = (url: string): LinkPreview => ({
    url,
    title: url,
    description: null,
    image: null,
  })

  it('runs fetches in the background, at most `concurrency` at once', async () => {
    let active = 0
    let peak = 0
    const seen: [string, number, string][] = []
    const previewer = createLinkPreviewer({
      client: client(true),
      concurrency: 3,
      fetch: async (url) => {
        active++
        peak = Math.max(peak, active)
        await delay(20) // a fetch's own duration (not a wait): long enough for fetches to overlap
        active--
        return preview(url)
      },
      onPreview: (room, seq, p) => {
        seen.push([room, seq, p.url])
      },
    })
    for (let seq = 1; seq <= 4; seq++) {
      previewer.enqueue('lobby', seq, `https://a.example/${seq} https://b.example/${seq}`, 'alice')
    }
    expect(seen).toEqual([]) // enqueue returned before any fetch finished
    await previewer.idle()
    expect(seen).toHaveLength(8)
    expect(peak).toBe(3)
    expect(seen).toContainEqual(['lobby', 4, 'https://b.example/4'])
  })

  it('drops beyond the queue bound and survives failing fetches and callbacks', async () => {
    const errors: unknown[] = []
    let calls = 0
    const previewer = createLinkPreviewer({
      client: client(true),
      concurrency: 1,
      maxQueue: 2,
      fetch: async (url) => {
        calls++
        await delay(5) // a fetch's own duration, so later enqueues find the queue busy
        if (url.includes('throw')) throw new Error('fetch blew up')
        return preview(url)
      },
      onPreview: () => Promise.reject(new Error('store down')),
      onError: (e) => errors.push(e),
    })
    previewer.enqueue(
      'r',
      1,
      'https://throw.example/ https://x.example/1 https://x.example/2',
      'alice',
    )
    previewer.enqueue('r', 2, 'https://x.example/3 https://x.example/4', 'alice')
    previewer.enqueue('r', 3, 'no links', 'alice')
    await previewer.idle()
    expect(previewer.stats.dropped).toBe(2)
    expect(calls).toBe(3) // one running at once + two queued
    expect(errors.length).toBe(5) // 2 drops + 1 fetch error + 2 onPreview rejections
  })
})

describe('createLinkPreviewer cache', () => {
  it('fetches a URL pasted many times once, and again after the TTL', async () => {
    const clock = { ms: 0, now: () => clock.ms }
    let fetches = 0
    const seen: number[] = []
    const previewer = createLinkPreviewer({
      client: client(true),
      clock,
      cacheTtlMs: 1_000,
      maxQueuedPerUser: 64, // one author pastes the link 50 times; the per-author cap is not under test
      fetch: async (url) => {
        fetches++
        await delay(10) // a fetch's own duration: the other 49 pastes arrive while it runs
        return { url, title: 't', description: null, image: null }
      },
      onPreview: (_room, seq) => {
        seen.push(seq)
      },
    })
    for (let seq = 1; seq <= 50; seq++)
      previewer.enqueue('lobby', seq, 'https://same.example/x', 'alice')
    await previewer.idle()
    expect(fetches).toBe(1)
    expect(seen).toHaveLength(50) // every message still gets its preview event
    clock.ms += 1_000
    previewer.enqueue('lobby', 51, 'https://same.example/x', 'alice')
    await previewer.idle()
    expect(fetches).toBe(2)
  })
})
