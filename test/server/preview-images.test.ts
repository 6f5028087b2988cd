// Preview images come from Eddy's own origin: fetched by the server through the SSRF guard, accepted by their bytes only.
import type http from 'node:http'
import { describe, expect, it } from 'vitest'
import { previewImagePath } from '../../src/protocol/paths.js'
import { type LocalServer, useLocalServers } from '../upstream/support/local-server.js'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

function page(image: string): string {
  return `<html><head><meta property="og:title" content="Card"><meta property="og:image" content="${image}"></head></html>`
}

/** Pages whose og:image is `/<name>`, and the "images" themselves. */
const UPSTREAM: Record<string, (res: http.ServerResponse) => void> = {
  '/pixel': (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PNG),
  '/fake.png': (res) =>
    res.writeHead(200, { 'content-type': 'image/png' }).end('<html><script>alert(1)</script>'),
  '/logo.svg': (res) =>
    res
      .writeHead(200, { 'content-type': 'image/svg+xml' })
      .end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
}

describe('preview images served from our own origin', () => {
  const localServer = useLocalServers()

  async function setup(): Promise<{
    server: TestServer
    user: TestUser
    base: string
    upstream: LocalServer
  }> {
    const upstream = await localServer((req, res) => {
      const path = req.url ?? '/'
      const image = UPSTREAM[path]
      if (image) return image(res)
      // /page/<name> shows /<name> as its image.
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(path.replace(/^\/page/, '')))
    })
    const server = await startServer({ ALLOW_PRIVATE_UPSTREAMS: '1' })
    return { server, user: await registerUser(server.url), base: upstream.url, upstream }
  }

  /** Posts a link to /page/<name> and waits for its preview; returns the image path a client uses. */
  async function previewOf(
    ctx: { server: TestServer; user: TestUser; base: string },
    name: string,
  ) {
    const c = await ChatClient.connect(ctx.server.wsUrl, ctx.user.token)
    await c.join('lobby')
    const url = `${ctx.base}/page/${name}`
    c.send({ type: 'send', room: 'lobby', text: `see ${url}`, cid: name })
    const ack = await c.next('ack', (f) => f.cid === name)
    const preview = await c.next('preview', (f) => f.seq === ack.seq)
    c.close()
    expect(preview.image).toBe(`${ctx.base}/${name}`)
    return { seq: ack.seq, url, path: previewImagePath('lobby', ack.seq, url) }
  }

  function get(server: TestServer, path: string, token?: string): Promise<Response> {
    return fetch(server.url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  }

  it('serves the image with its sniffed type, nosniff and a sandbox, and the page CSP allows only self images', async () => {
    const ctx = await setup()
    const { path } = await previewOf(ctx, 'pixel')
    for (let i = 0; i < 3; i++) {
      const res = await get(ctx.server, path, ctx.user.token)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/png')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('content-security-policy')).toContain('sandbox')
      expect(res.headers.get('cache-control')).toMatch(/^private/)
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true)
    }
    expect(ctx.upstream.hits.get('/pixel')).toBe(1) // the node keeps it: viewers do not refetch
    const pageCsp = (await fetch(ctx.server.url + '/login')).headers.get('content-security-policy')
    expect(pageCsp).toContain("img-src 'self' data:;")
  })

  it.each(['fake.png', 'logo.svg'])(
    'refuses an "image" that is not one by its bytes: %s',
    async (name) => {
      const ctx = await setup()
      const { path } = await previewOf(ctx, name)
      const res = await get(ctx.server, path, ctx.user.token)
      expect(res.status).toBe(502)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await res.json()).toMatchObject({ error: { code: 'upstream_error' } })
    },
  )

  it('answers 404 for an unknown room, message or preview, and 401 when signed out', async () => {
    const ctx = await setup()
    const { seq, url, path } = await previewOf(ctx, 'pixel')
    const token = ctx.user.token
    const unknownRoom = await api(ctx.server.url, previewImagePath('nowhere', seq, url), { token })
    expect(unknownRoom).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } })
    expect((await get(ctx.server, previewImagePath('lobby', seq + 5, url), token)).status).toBe(404)
    const otherPage = previewImagePath('lobby', seq, `${ctx.base}/page/elsewhere`)
    expect((await get(ctx.server, otherPage, token)).status).toBe(404)
    expect((await get(ctx.server, path)).status).toBe(401)
  })
})
