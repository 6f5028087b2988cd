/**
 * The popular choice: Socket.IO 4 as in its own chat example (https://socket.io/get-started/chat),
 * `socket.on('chat message', msg => io.emit('chat message', msg))`, plus a /healthz for readiness.
 * Run: HOST=127.0.0.1 PORT=9002 tsx bench/servers/socketio-chat.ts
 */
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const host = process.env['HOST'] ?? '127.0.0.1'
const port = Number(process.env['PORT'] ?? 9002)

const http = createServer((req, res) => {
  if (req.url?.startsWith('/socket.io/')) return // engine.io answers its own requests
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' })
  res.end('{"status":"ok"}')
})
const io = new Server(http, { serveClient: false })

io.on('connection', (socket) => {
  socket.on('chat message', (msg: unknown) => {
    io.emit('chat message', msg)
  })
})

http.listen(port, host, 511)
process.on('SIGTERM', () => process.exit(0))
