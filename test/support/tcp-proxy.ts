/** A TCP proxy for fault injection: freeze (a hung server), cut (a dropped network), thaw. */
import { createServer, connect, type Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** Stops forwarding in both directions; bytes are held, as in a network stall. */
  freeze(): void
  /** Forwards again, held bytes first. */
  thaw(): void
  /** Destroys every open connection; new ones are still accepted. */
  cut(): void
  close(): Promise<void>
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const pipes: Array<{ flush(): void }> = []
  let frozen = false

  function forward(from: Socket, to: Socket): { flush(): void } {
    const held: Buffer[] = []
    from.on('data', (chunk: Buffer) => {
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
    const upstream = connect(targetPort, targetHost)
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
    thaw() {
      frozen = false
      for (const pipe of pipes) pipe.flush()
    },
    cut() {
      for (const socket of sockets) socket.destroy()
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
