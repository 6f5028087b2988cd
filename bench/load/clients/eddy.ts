/** Eddy's /chat (docs/protocol.md): bearer session, join a room, JSON frames. */
import type { ClientProtocol } from './protocol.js'

export const eddyProtocol: ClientProtocol = {
  path: '/chat',
  headers: (token) => (token ? { authorization: `Bearer ${token}` } : {}),
  opening: (room, since) => [
    JSON.stringify(since === undefined ? { type: 'join', room } : { type: 'join', room, since }),
  ],
  readyOnOpen: false,
  handshake(frame) {
    if (frame.includes('"type":"joined"')) return 'ready'
    if (frame.includes('"type":"error"')) return { error: `eddy join refused: ${frame}` }
    return 'continue'
  },
  control: () => {},
  encodeSend: (room, text, cid) => JSON.stringify({ type: 'send', room, text, cid }),
  encodeEdit: (room, target, text, cid) =>
    JSON.stringify({ type: 'edit', room, target, text, cid }),
  encodeReact: (room, target, emoji, cid) =>
    JSON.stringify({ type: 'react', room, target, emoji, op: 'add', cid }),
}
