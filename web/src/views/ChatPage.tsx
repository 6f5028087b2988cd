/** `/`: lays out rooms, messages and the composer of a chat client built by app.ts. */
import { useMemo, useState } from 'preact/hooks'
import type { ChatClient } from '../app.js'
import { canDelete } from '../chat/message-actions.js'
import type { ShownMessage } from '../state/message-changes.js'
import { Composer } from './Composer.js'
import { ConfirmDelete } from './ConfirmDelete.js'
import type { MessageHandlers, MessageView } from './message-view.js'
import { MessageList } from './MessageList.js'
import { RoomHeader } from './RoomHeader.js'
import { RoomList } from './RoomList.js'
import { StatusBanner } from './StatusBanner.js'
import { useChatState } from './use-chat-state.js'

interface Props {
  readonly chat: ChatClient
}

export function ChatPage({ chat }: Props) {
  const { actions, me, messages } = chat
  const state = useChatState(chat.holder)
  const [roomsOpen, setRoomsOpen] = useState(false)
  /** The message whose deletion waits for confirmation (the dialog is open while set). */
  const [confirming, setConfirming] = useState<ShownMessage | null>(null)

  const room = state.current ? state.rooms[state.current] : undefined
  const roomName = room?.name ?? ''
  const handlers = useMemo<MessageHandlers>(
    () => ({
      react: (seq, emoji) => messages.toggleReaction(roomName, seq, emoji),
      reply: (seq) => messages.startReply(roomName, seq),
      edit: (seq) => messages.startEdit(roomName, seq),
      saveEdit: (seq, text) => messages.saveEdit(roomName, seq, text),
      cancelEdit: () => messages.cancelEdit(roomName),
      delete: (message) => setConfirming(message),
      jumpTo: (seq) => void messages.jumpTo(roomName, seq),
    }),
    [messages, roomName],
  )
  const highlight = state.highlight?.room === roomName ? state.highlight : null
  const view: MessageView | null = room
    ? {
        me: me.username,
        canDelete: (message) => canDelete(state, room, message),
        editing: room.editing,
        highlight,
        handlers,
      }
    : null
  const parent =
    room && room.replyTo !== null ? room.messages.find((m) => m.seq === room.replyTo) : undefined
  return (
    <div
      class={roomsOpen ? 'chat rooms-open' : 'chat'}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setRoomsOpen(false)
      }}
    >
      <RoomList
        state={state}
        onSelect={(name) => {
          actions.selectRoom(name)
          setRoomsOpen(false)
        }}
        onJoin={(name) => {
          actions.joinRoom(name)
          setRoomsOpen(false)
        }}
        onMoreRooms={() => void actions.loadMoreRooms()}
        onCreate={(name) => actions.createRoom(name)}
        onLogout={() => void chat.logout()}
        notifier={chat.notifier}
      />
      {roomsOpen && (
        <button
          type="button"
          class="backdrop"
          aria-label="Close rooms"
          onClick={() => setRoomsOpen(false)}
        />
      )}
      <main class="room" aria-label={room ? `Room ${room.name}` : 'Chat'}>
        <RoomHeader
          room={room}
          onToggleRooms={() => setRoomsOpen((open) => !open)}
          roomsOpen={roomsOpen}
          onLeave={(name) => actions.leaveRoom(name)}
        />
        <StatusBanner
          status={state.status}
          notice={state.notice}
          onDismiss={() => actions.dismissNotice()}
        />
        {room && view ? (
          <>
            <MessageList
              room={room}
              view={view}
              outbox={state.outbox.filter((item) => item.room === room.name)}
              failures={state.failures}
              online={state.status === 'online' || state.status === 'polling'}
              newSince={state.newSince}
              onLoadOlder={() => void actions.loadOlder(room.name)}
              onRetry={(cid) => actions.retry(cid)}
              onDiscard={(cid) => actions.discard(cid)}
            />
            <Composer
              key={room.name}
              room={room.name}
              me={me.username}
              replyingTo={
                parent
                  ? { user: parent.user, text: parent.text, deleted: parent.deleted === true }
                  : null
              }
              onCancelReply={() => messages.cancelReply(room.name)}
              onEditLast={() => messages.editLast(room.name)}
              names={room.members ? [...room.members, ...room.online] : room.online}
              onNeedNames={() => void messages.loadMembers(room.name)}
              draft={state.drafts[room.name] ?? ''}
              onDraft={(text) => actions.setDraft(room.name, text)}
              typing={room.typing}
              onSend={(text) => actions.send(text)}
              onTyping={() => actions.typing()}
            />
          </>
        ) : (
          <p class="empty">Pick a room, or create one, to start chatting.</p>
        )}
        {confirming && (
          <ConfirmDelete
            message={confirming}
            mine={confirming.user === me.username}
            onConfirm={() => messages.delete(confirming.room, confirming.seq)}
            onClose={() => setConfirming(null)}
          />
        )}
      </main>
    </div>
  )
}
