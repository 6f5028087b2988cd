// A fair share of the preview queue per author: one user's burst of slow links cannot hold up another user's preview.
import type http from 'node:http'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/upstream/http-client.js'
import { createLinkPreviewer } from '../../src/upstream/link-preview-queue.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()
const PAGE = '<html><head><title>Page</title></head></html>'

describe('link preview queue fairness', () => {
  it("serves another author's single link at the next free slot while one author's 50 slow links wait, and caps the burst", async () => {
    const requested: string[] = []
    const held: http.ServerResponse[] = []
    const server = await startServer((req, res) => {
      requested.push(req.url ?? '/')
      if (req.url?.startsWith('/slow/')) held.push(res)
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
    })
    const client = createHttpClient({ allowPrivate: true, timeoutMs: 30_000 })
    const previewed: number[] = []
    const previewer = createLinkPreviewer({
      client,
      concurrency: 8,
      maxQueuedPerUser: 24,
      onPreview: (_room, seq) => {
        previewed.push(seq)
      },
    })
    for (let seq = 1; seq <= 50; seq++) {
      previewer.enqueue('lobby', seq, `look ${server.url}/slow/${seq}`, 'alice')
    }
    // Eight fetches run, 24 wait, the other 18 of the burst are dropped and counted.
    await expect.poll(() => held.length).toBe(8)
    expect(previewer.stats).toMatchObject({ active: 8, queued: 24, dropped: 18 })

    previewer.enqueue('lobby', 51, `and ${server.url}/fast`, 'bob')
    held.shift()?.writeHead(200, { 'content-type': 'text/html' }).end(PAGE) // one slot frees
    // The freed slot goes to bob, not to alice's 9th link.
    await expect.poll(() => requested.length).toBeGreaterThanOrEqual(9)
    expect(requested[8]).toBe('/fast')
    await expect.poll(() => previewed).toEqual([1, 51])

    previewer.clear()
    for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
    await previewer.idle()
    await client.close()
  })
})
