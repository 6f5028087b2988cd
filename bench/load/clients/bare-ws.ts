/** bench/servers/bare-ws.ts speaks raw text frames: what you send is what everyone gets. */
import type { ClientProtocol } from './protocol.js'

export const bareWsProtocol: ClientProtocol = {
  path: '/',
  headers: () => ({}),
  opening: () => [],
  readyOnOpen: true,
  handshake: () => 'ready',
  control: () => {},
  encodeSend: (_room, text) => text,
}
