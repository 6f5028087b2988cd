/**
 * Socket.IO 4 spoken directly over one WebSocket (engine.io protocol v4): the same frames
 * socket.io-client sends with `transports: ['websocket']`, without its per-packet overhead on
 * the load-generator side. https://socket.io/docs/v4/socket-io-protocol/
 */
import type { ClientProtocol } from './protocol.js'

export const socketIoProtocol: ClientProtocol = {
  path: '/socket.io/?EIO=4&transport=websocket',
  headers: () => ({}),
  opening: () => [],
  readyOnOpen: false,
  handshake(frame, reply) {
    if (frame.startsWith('0{'))
      reply('40') // engine.io open → connect to the main namespace
    else if (frame.startsWith('40')) return 'ready'
    else if (frame.startsWith('44')) return { error: `socket.io connect_error: ${frame}` }
    else if (frame === '2') reply('3')
    return 'continue'
  },
  control(frame, reply) {
    if (frame === '2') reply('3') // engine.io ping → pong, or the server drops us
  },
  encodeSend: (_room, text) => '42' + JSON.stringify(['chat message', text]),
}
