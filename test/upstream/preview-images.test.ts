// Preview images: sniffed by their bytes, capped, fetched once while popular, evicted by bytes.
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/upstream/http-client.js'
import { createPreviewImages, sniffImageType } from '../../src/upstream/preview-images.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const png = (size: number) => Buffer.concat([PNG_HEAD, Buffer.alloc(size - PNG_HEAD.length)])

describe('sniffImageType', () => {
  it('knows PNG, JPEG, GIF and WebP by their magic numbers, and nothing else', () => {
    expect(sniffImageType(png(16))).toBe('image/png')
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe('image/jpeg')
    expect(sniffImageType(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif')
    expect(sniffImageType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp')
    for (const other of [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '<html>',
      'RIFF....WAVE',
      '',
    ]) {
      expect(sniffImageType(Buffer.from(other)), other).toBeUndefined()
    }
  })
})

describe('createPreviewImages', () => {
  it('shares concurrent fetches, caches by bytes (LRU), and refuses oversize and non-images', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/big') res.end(png(3000))
      else if (req.url === '/svg') res.writeHead(200, { 'content-type': 'image/png' }).end('<svg/>')
      else res.end(png(400))
    })
    const client = createHttpClient({ allowPrivate: true })
    const images = createPreviewImages({ client, maxBytes: 2000, cacheBytes: 1000 })
    const together = await Promise.all(
      Array.from({ length: 5 }, () => images.fetch(`${server.url}/a`)),
    )
    expect(together.every((image) => image.type === 'image/png')).toBe(true)
    expect(server.hits.get('/a')).toBe(1)
    await images.fetch(`${server.url}/b`) // 800 bytes held
    await images.fetch(`${server.url}/a`) // a is now the most recent
    await images.fetch(`${server.url}/c`) // 1,200 > 1,000: b, the least recent, goes
    await images.fetch(`${server.url}/a`)
    await images.fetch(`${server.url}/b`)
    expect([server.hits.get('/a'), server.hits.get('/b'), server.hits.get('/c')]).toEqual([1, 2, 1])
    await expect(images.fetch(`${server.url}/big`)).rejects.toMatchObject({ reason: 'too_large' })
    await expect(images.fetch(`${server.url}/svg`)).rejects.toMatchObject({ reason: 'bad_content' })
    await client.close()
  })

  it('remembers a failure for a while instead of asking the site again per viewer', async () => {
    const clock = { ms: 0, now: () => clock.ms }
    const server = await startServer((_req, res) => res.writeHead(404).end())
    const client = createHttpClient({ allowPrivate: true })
    const images = createPreviewImages({ client, clock, failureTtlMs: 1_000 })
    for (let i = 0; i < 3; i++) {
      await expect(images.fetch(`${server.url}/gone`)).rejects.toMatchObject({
        reason: 'bad_status',
      })
    }
    expect(server.hits.get('/gone')).toBe(1)
    clock.ms += 1_000
    await expect(images.fetch(`${server.url}/gone`)).rejects.toMatchObject({ reason: 'bad_status' })
    expect(server.hits.get('/gone')).toBe(2)
    await client.close()
  })

  it('goes through the SSRF guard', async () => {
    const server = await startServer((_req, res) => res.end(png(100)))
    const client = createHttpClient({ allowPrivate: false })
    const images = createPreviewImages({ client })
    await expect(images.fetch(`${server.url}/a`)).rejects.toMatchObject({ reason: 'blocked' })
    expect(server.hits.size).toBe(0)
    await client.close()
  })
})
