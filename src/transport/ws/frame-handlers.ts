/** One handler per client frame type, listed in a map (no god switch). */
import type { ChatService, Sender } from '../../domain/chat-service.js'
import type { RoomSubscriber } from '../../domain/subscriber.js'
import type { ClientFrame, ClientFrameType, ServerFrame } from '../../protocol/frames.js'

/** What a handler needs of the socket a frame came from (the Connection, structurally). */
export interface FrameSource extends RoomSubscriber {
  readonly sender: Sender
  sendFrame(frame: ServerFrame): void
}

type FrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>
type Handler<T extends ClientFrameType> = (
  chat: ChatService,
  source: FrameSource,
  frame: FrameOf<T>,
) => Promise<void>

export const frameHandlers: { [T in ClientFrameType]: Handler<T> } = {
  async join(chat, source, frame) {
    await chat.subscribe(source, frame.room, {
      kind: 'socket',
      since: frame.since,
      onJoined: (seq, online) =>
        source.sendFrame({ type: 'joined', room: frame.room, seq, online }),
    })
  },

  async leave(chat, source, frame) {
    await chat.unsubscribe(source, frame.room, true)
    source.sendFrame({ type: 'left', room: frame.room })
  },

  async send(chat, source, frame) {
    const { room, text, cid, replyTo, attachments } = frame
    const message = await chat.send(source.sender, room, text, cid, source, {
      replyTo,
      attachments,
    })
    source.sendFrame({ type: 'ack', cid, seq: message.seq, room })
  },

  async edit(chat, source, frame) {
    const { room, target, text, cid } = frame
    const event = await chat.edit(source.sender, room, target, text, cid, source)
    source.sendFrame({ type: 'ack', cid, seq: event.seq, room })
  },

  async delete(chat, source, frame) {
    const { room, target, cid } = frame
    const event = await chat.delete(source.sender, room, target, cid, source)
    source.sendFrame({ type: 'ack', cid, seq: event.seq, room })
  },

  async react(chat, source, frame) {
    const { room, target, emoji, op, cid } = frame
    const event = await chat.react(source.sender, room, target, { emoji, op }, cid, source)
    source.sendFrame({ type: 'ack', cid, seq: event.seq, room })
  },

  async typing(chat, source, frame) {
    await chat.typing(source, frame.room)
  },

  async read(chat, source, frame) {
    await chat.markRead(source.sender, frame.room, frame.seq)
  },
}
