/**
 * The floor: a bare `ws` broadcast server. Every frame it gets goes to every connected client,
 * sender included, as the same Buffer (no parsing, no rooms, no auth, no storage).
 * Run: HOST=127.0.0.1 PORT=9001 tsx bench/servers/bare-ws.ts
 */
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const host = process.env['HOST'] ?? '127.0.0.1'
const port = Number(process.env['PORT'] ?? 9001)

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' })
  res.end('{"status":"ok"}')
})
const wss = new WebSocketServer({ server: http, perMessageDeflate: false })

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const client of wss.clients) client.send(data, { binary: isBinary })
  })
})

http.listen(port, host, 511)
process.on('SIGTERM', () => process.exit(0))
