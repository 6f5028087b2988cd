/** Shared scaffolding for the async examples: a slow local upstream, a tiny app server, and the A/B timing run. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'

/** How long reqA's I/O takes: the tutorial's longIo() sleeps 5 s; half a second shows the same thing. */
export const LONG_IO_MS = 500

export interface Timings {
  /** Client-side latency of reqA and reqB, both sent at the same moment. */
  readonly aMs: number
  readonly bMs: number
  /** By the server's own clock: did reqB's response go out before reqA's? */
  readonly bFinishedBeforeA: boolean
}

/** Ends reqA's response; the harness stamps the time so the order is measured, not guessed. */
export type Reply = (status: number, body: string) => void

/** reqA's handler: do the long I/O against `upstreamUrl`, then reply. */
export type HandleA = (upstreamUrl: string, reply: Reply) => void

interface Listening {
  readonly url: string
  close(): Promise<void>
}

async function listen(handler: http.RequestListener): Promise<Listening> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A GET that resolves with its latency in ms (node:http, so the client is the same in every example). */
function timedGet(url: string): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, signal: AbortSignal.timeout(10_000) }, (res) => {
      res.resume()
      res.on('end', () => resolve(performance.now() - started))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

/**
 * Starts a slow upstream (answers after LONG_IO_MS) and an app with /a (the example's handler)
 * and /b (answers at once), sends both requests together and reports the timings.
 * B is taken up only after A has started, like the tutorial's `reqA(); reqB()`.
 */
export async function runAB(handleA: HandleA): Promise<Timings> {
  const upstream = await listen((_req, res) => {
    setTimeout(() => res.end('{"subjects":[{"title":"slow but worth it"}]}'), LONG_IO_MS)
  })
  const finishedAt = { a: Infinity, b: Infinity }
  let aStarted: () => void = () => {}
  const aSeen = new Promise<void>((resolve) => (aStarted = resolve))
  const app = await listen((req, res) => {
    const reply =
      (which: 'a' | 'b'): Reply =>
      (status, body) => {
        finishedAt[which] = performance.now()
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body)
      }
    if (req.url === '/a') {
      aStarted()
      handleA(upstream.url, reply('a'))
    } else {
      void aSeen.then(() => reply('b')(200, 'reqB answered at once'))
    }
  })
  try {
    const [aMs, bMs] = await Promise.all([timedGet(`${app.url}/a`), timedGet(`${app.url}/b`)])
    return { aMs, bMs, bFinishedBeforeA: finishedAt.b < finishedAt.a }
  } finally {
    await Promise.all([app.close(), upstream.close()])
  }
}

/** Runs `run` and prints its timings when the file is started directly (npx tsx examples/<file>.ts). */
export function runIfMain(moduleUrl: string, name: string, run: () => Promise<Timings>): void {
  const entry = process.argv[1]
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return
  run().then(
    (t) => {
      const order = t.bFinishedBeforeA ? 'reqB finished first' : 'reqB waited for reqA'
      console.log(`${name}: reqA ${Math.round(t.aMs)} ms, reqB ${Math.round(t.bMs)} ms: ${order}`)
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
