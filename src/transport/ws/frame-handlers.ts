/** One handler per client frame type, listed in a map (no god switch). */
import type { ChatService } from '../../domain/chat-service.js'
import { ChatError } from '../../domain/errors.js'
import type { ClientFrame, ClientFrameType } from '../../protocol/frames.js'
import type { Connection } from './connection.js'

type FrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>
type Handler<T extends ClientFrameType> = (
  chat: ChatService,
  connection: Connection,
  frame: FrameOf<T>,
) => Promise<void>

export const frameHandlers: { [T in ClientFrameType]: Handler<T> } = {
  async join(chat, connection, frame) {
    await chat.join(connection, frame.room, frame.since, (seq, online) => {
      connection.sendFrame({ type: 'joined', room: frame.room, seq, online })
    })
  },

  async leave(chat, connection, frame) {
    await chat.leave(connection, frame.room)
    connection.sendFrame({ type: 'left', room: frame.room })
  },

  async send(chat, connection, frame) {
    if (!chat.isJoined(connection, frame.room)) throw new ChatError('not_joined')
    const message = await chat.send(connection.sender, frame.room, frame.text, frame.cid)
    connection.sendFrame({ type: 'ack', cid: frame.cid, seq: message.seq, room: frame.room })
  },

  async typing(chat, connection, frame) {
    if (!chat.isJoined(connection, frame.room)) throw new ChatError('not_joined')
    await chat.typing(connection.user, frame.room)
  },
}
