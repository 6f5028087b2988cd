/** Local node:http servers on 127.0.0.1:0 for upstream tests; each test file closes its own in afterEach. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface LocalServer {
  readonly url: string
  readonly port: number
  /** Requests seen so far, by path. */
  readonly hits: Map<string, number>
  close(): Promise<void>
}

/** Starts servers that are all closed (connections included) after each test. */
export function useLocalServers(): (handler: Handler) => Promise<LocalServer> {
  const open: LocalServer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (handler) => {
    const hits = new Map<string, number>()
    const server = http.createServer((req, res) => {
      const path = req.url ?? '/'
      hits.set(path, (hits.get(path) ?? 0) + 1)
      handler(req, res)
    })
    // Long enough that undici reuses sockets (it subtracts a 2 s safety margin from the hint).
    server.keepAliveTimeout = 10_000
    // A deep backlog: 1,000 simultaneous connects must not overflow the default 511 and retry SYNs.
    await new Promise<void>((resolve) =>
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    )
    const { port } = server.address() as AddressInfo
    const local: LocalServer = {
      url: `http://127.0.0.1:${port}`,
      port,
      hits,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    }
    open.push(local)
    return local
  }
}

/** Resolves after ms without keeping the test alive past it. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
