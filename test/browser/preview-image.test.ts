/** The web client shows a link preview's image from Eddy's own origin, under the page CSP img-src 'self' data:. */
import { describe, expect, test } from 'vitest'
import { useLocalServers } from '../upstream/support/local-server.js'
import { startServer } from '../support/start-server.js'
import { browser, send, signedInAs, uniqueName, waitForMessage } from './support.js'

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

describe('preview images in the web client', () => {
  const localServer = useLocalServers()

  test('the card loads its image through the same-origin route', { timeout: 60_000 }, async () => {
    const upstream = await localServer((req, res) => {
      if (req.url === '/pixel.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
        return
      }
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<html><head><meta property="og:title" content="Pixel page"><meta property="og:image" content="/pixel.png"></head></html>',
        )
    })
    const server = await startServer({ ALLOW_PRIVATE_UPSTREAMS: '1' })
    const b = await browser()
    await signedInAs(b, server.url, uniqueName('pic'))
    await b.page.getByRole('heading', { name: '# lobby' }).waitFor()
    await send(b.page, `look ${upstream.url}/page`)
    await waitForMessage(b.page, 'look')
    const image = b.page.locator('.messages .preview img')
    await image.waitFor({ state: 'attached' })
    expect(await image.getAttribute('src')).toMatch(
      /^\/api\/rooms\/lobby\/messages\/\d+\/previews\/image\?url=http/,
    )
    await expect
      .poll(() => image.evaluate((el): unknown => Reflect.get(el, 'naturalWidth')))
      .toBe(1)
    expect(upstream.hits.get('/pixel.png')).toBe(1)
  })
})
