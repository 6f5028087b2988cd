import { bareWsProtocol } from './bare-ws.js'
import { eddyProtocol } from './eddy.js'
import type { ClientProtocol, ServerKind } from './protocol.js'
import { socketIoProtocol } from './socketio.js'

export const PROTOCOLS: Record<ServerKind, ClientProtocol> = {
  bare: bareWsProtocol,
  socketio: socketIoProtocol,
  eddy: eddyProtocol,
}
