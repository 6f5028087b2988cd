import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { paceReads } from './paced-reads.js'
import { TurnPacer } from './turn-pacer.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

/** A server that counts requests per event-loop turn, reading 4 per turn. */
async function start(): Promise<{ port: number; perTurn: number[] }> {
  const perTurn: number[] = []
  let current = -1
  let turn = 0
  setImmediate(function tick() {
    turn += 1
    if (server?.listening) setImmediate(tick)
  })
  server = createServer((req, res) => {
    if (current !== turn) {
      perTurn.push(0)
      current = turn
    }
    perTurn[perTurn.length - 1]! += 1
    res.end(req.url)
  })
  paceReads(server, new TurnPacer(4), 4)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, perTurn }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
  })
}

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (d: Buffer) => (text += d.toString()))
    socket.on('close', () => resolve(text))
  })
}

test('a burst of requests is parsed a slice per turn, and every one is answered', async () => {
  const { port, perTurn } = await start()
  const sockets = await Promise.all(Array.from({ length: 40 }, () => open(port)))
  await new Promise((r) => setTimeout(r, 50)) // every connection accepted
  const answers = sockets.map(readAll)
  sockets.forEach((s, i) => s.end(`GET /r${i} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`))
  const texts = await Promise.all(answers)
  texts.forEach((text, i) => {
    expect(text).toMatch(/^HTTP\/1.1 200/)
    expect(text.endsWith(`/r${i}`)).toBe(true)
  })
  expect(perTurn.reduce((a, b) => a + b, 0)).toBe(40)
  // Never all at once: the burst is spread over turns of a few requests each.
  expect(Math.max(...perTurn)).toBeLessThanOrEqual(8)
})

test('pipelined requests on one keep-alive connection keep their order', async () => {
  const { port } = await start()
  const sockets = await Promise.all(Array.from({ length: 10 }, () => open(port)))
  await new Promise((r) => setTimeout(r, 50))
  const answers = sockets.map(readAll)
  for (const s of sockets) {
    s.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n')
    s.end('GET /c HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')
  }
  for (const text of await Promise.all(answers)) {
    const bodies = text.match(/\/[abc]/g)
    expect(bodies).toEqual(['/a', '/b', '/c'])
  }
})

test('a socket closed while its request is held is dropped quietly', async () => {
  const { port } = await start()
  const sockets = await Promise.all(Array.from({ length: 20 }, () => open(port)))
  await new Promise((r) => setTimeout(r, 50))
  for (const s of sockets) {
    s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
    s.destroy()
  }
  await new Promise((r) => setTimeout(r, 100))
  const survivor = await open(port)
  const answer = readAll(survivor)
  survivor.end('GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')
  expect(await answer).toMatch(/\/ok$/)
})

test('an upgraded socket is a plain WebSocket again: its frames are never held', async () => {
  await start()
  const wss = new WebSocketServer({ server: server! })
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)))
  const port = (server!.address() as AddressInfo).port
  const clients = await Promise.all(
    Array.from(
      { length: 10 },
      () =>
        new Promise<WebSocket>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
          ws.on('open', () => resolve(ws))
        }),
    ),
  )
  const echoes = clients.map(
    (ws, i) =>
      new Promise<string>((resolve) => {
        ws.once('message', (data: Buffer) => resolve(data.toString()))
        ws.send(`hello ${i}`)
      }),
  )
  expect(await Promise.all(echoes)).toEqual(clients.map((_, i) => `hello ${i}`))
  for (const [socket] of wss.clients.entries()) {
    // ws keeps the TCP socket as _socket; its emit is Node's own again.
    const raw = (socket as unknown as { _socket: Socket })._socket
    expect(Object.hasOwn(raw, 'emit')).toBe(false)
  }
  clients.forEach((c) => c.close())
  wss.close()
})
