/**
 * A TCP proxy for fault injection: freeze (a hung server), blackhole (traffic silently dropped),
 * cut (a dropped network), thaw. Shared by the tests and the chaos run (bench/chaos).
 */
import { createServer, connect, type Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** Stops forwarding in both directions; bytes are held, as in a network stall. */
  freeze(): void
  /**
   * Drops every byte in both directions while the connections stay open, as a black-holed route
   * does; the streams are then out of step, so heal with `cut` before `thaw`.
   */
  blackhole(): void
  /** Forwards again, held bytes first (ends a freeze or a blackhole). */
  thaw(): void
  /** Destroys every open connection; new ones are still accepted. */
  cut(): void
  /** An outage: cuts every connection and refuses new ones until `restore`. */
  down(): void
  restore(): void
  /** Local ports of the proxy's connections to the target (pg_stat_activity's client_port). */
  upstreamPorts(): number[]
  close(): Promise<void>
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const upstreams = new Set<Socket>()
  const pipes: Array<{ flush(): void }> = []
  let frozen = false
  let blackholed = false
  let refusing = false

  function forward(from: Socket, to: Socket): { flush(): void } {
    const held: Buffer[] = []
    from.on('data', (chunk: Buffer) => {
      if (blackholed) return
      if (frozen) held.push(chunk)
      else to.write(chunk)
    })
    return {
      flush() {
        for (const chunk of held.splice(0)) to.write(chunk)
      },
    }
  }

  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, targetHost)
    upstreams.add(upstream)
    upstream.once('close', () => upstreams.delete(upstream))
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    pipes.push(forward(client, upstream), forward(upstream, client))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')

  return {
    port: address.port,
    freeze() {
      frozen = true
    },
    blackhole() {
      blackholed = true
    },
    thaw() {
      frozen = false
      blackholed = false
      for (const pipe of pipes) pipe.flush()
    },
    cut() {
      for (const socket of sockets) socket.destroy()
    },
    down() {
      refusing = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      refusing = false
    },
    upstreamPorts() {
      return [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined)
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
