/**
 * The built client over real HTTP: precompressed assets chosen by Accept-Encoding, immutable
 * caching for hashed names, no-cache for the HTML shell, and a signed-out visit with a clean console.
 */
import { request } from 'node:http'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { startServer } from '../support/start-server.js'
import { browser } from './support.js'

const WEB_DIST = new URL('../../web/dist/', import.meta.url).pathname

interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

/** A plain GET that leaves the body as sent (fetch would decompress it). */
function rawGet(url: string, acceptEncoding?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

describe('assets', () => {
  test('the main script is sent as brotli, gzip or plain by Accept-Encoding, cached as immutable', async () => {
    const server = await startServer()
    const script = readdirSync(join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))
    expect(script).toBeDefined()
    const url = `${server.url}/assets/${script}`
    const original = readFileSync(join(WEB_DIST, 'assets', script ?? ''))

    const br = await rawGet(url, 'gzip, deflate, br')
    expect(br.status).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(br.headers['vary']).toMatch(/accept-encoding/i)
    expect(br.body.length).toBeLessThan(original.length / 2)
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true)

    const gz = await rawGet(url, 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(gunzipSync(gz.body).equals(original)).toBe(true)

    const plain = await rawGet(url)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.equals(original)).toBe(true)
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')

    const css = readdirSync(join(WEB_DIST, 'assets')).find((f) => f.endsWith('.css'))
    const style = await rawGet(`${server.url}/assets/${css}`, 'br')
    expect(style.headers['content-encoding']).toBe('br')
    expect(style.headers['content-type']).toMatch(/text\/css/)
  })

  // ~49 kB gz: markdown (marked is ~16 kB of it), then rooms, DMs, the members panel and
  // moderation (~3.5 kB), search (~1 kB); zod would add ~25 kB more.
  test('the script leaves the protocol schemas (and zod) on the server: under 50 kB gz', () => {
    const assets = join(WEB_DIST, 'assets')
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'))
    const code = scripts.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n')
    expect(code).not.toContain('ZodError')
    const gz = scripts.map((f) => readFileSync(join(assets, `${f}.gz`)).length)
    expect(gz.reduce((a, b) => a + b, 0)).toBeLessThan(50 * 1024)
  })

  test('the HTML shell is revalidated on every visit, and compressed too', async () => {
    const server = await startServer()
    for (const path of ['/', '/login', '/register']) {
      const page = await rawGet(`${server.url}${path}`, 'br, gzip')
      expect(page.status).toBe(200)
      expect(page.headers['cache-control']).toBe('no-cache')
      expect(page.headers['content-type']).toMatch(/text\/html/)
      expect(page.headers['content-encoding']).toBe('br')
      expect(brotliDecompressSync(page.body).toString()).toContain('<div id="app">')
    }
    const plain = await rawGet(`${server.url}/login`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['cache-control']).toBe('no-cache')
  })

  test('a signed-out visit logs no console error', { timeout: 30_000 }, async () => {
    const server = await startServer()
    const b = await browser()
    await b.page.goto(`${server.url}/`)
    await b.page.waitForURL(`${server.url}/login`)
    await b.page.getByLabel('Username').waitFor()
    await b.page.goto(`${server.url}/register`)
    await b.page.getByRole('button', { name: 'Create account' }).waitFor()
    expect(b.errors).toEqual([])
  })
})
