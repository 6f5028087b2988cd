// The composition helper: one client shared by movies and previews, previews optional, clean close.
import { describe, expect, it } from 'vitest'
import type { LinkPreview } from '../../src/protocol/frames.js'
import { createUpstreams } from '../../src/upstream/upstreams.js'
import { useLocalServers } from './support/local-server.js'

const startServer = useLocalServers()

describe('createUpstreams', () => {
  it('wires movies and previews over one client and closes cleanly', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/movies') {
        res.end('{"subjects":[{"title":"One"}]}')
        return
      }
      res.setHeader('content-type', 'text/html')
      res.end('<title>Page</title>')
    })
    const previews: [string, number, LinkPreview][] = []
    const upstreams = createUpstreams({
      allowPrivate: true,
      moviesUrl: `${server.url}/movies`,
      onPreview: (room, seq, preview) => {
        previews.push([room, seq, preview])
        return Promise.resolve()
      },
    })
    expect(await upstreams.movies.get()).toEqual({ subjects: [{ title: 'One' }] })
    upstreams.previewer?.enqueue('lobby', 7, `look ${server.url}/page`, 'alice')
    await upstreams.previewer?.idle()
    expect(previews).toEqual([
      ['lobby', 7, { url: `${server.url}/page`, title: 'Page', description: null, image: null }],
    ])
    await upstreams.close()
  })

  it('has no previewer when previews are off, and refuses private upstreams by default', async () => {
    const server = await startServer((_req, res) => res.end('{}'))
    const upstreams = createUpstreams({ allowPrivate: false, moviesUrl: `${server.url}/movies` })
    expect(upstreams.previewer).toBeUndefined()
    await expect(upstreams.movies.get()).rejects.toMatchObject({ reason: 'blocked' })
    await upstreams.close()
  })
})
