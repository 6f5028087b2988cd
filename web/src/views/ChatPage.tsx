/** `/`: lays out rooms, messages and the composer of a chat client built by app.ts. */
import { useState } from 'preact/hooks'
import type { ChatClient } from '../app.js'
import { Composer } from './Composer.js'
import { MessageList } from './MessageList.js'
import { RoomHeader } from './RoomHeader.js'
import { RoomList } from './RoomList.js'
import { StatusBanner } from './StatusBanner.js'
import { useChatState } from './use-chat-state.js'

interface Props {
  readonly chat: ChatClient
}

export function ChatPage({ chat }: Props) {
  const { actions, me } = chat
  const state = useChatState(chat.holder)
  const [roomsOpen, setRoomsOpen] = useState(false)

  const room = state.current ? state.rooms[state.current] : undefined
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
        {room ? (
          <>
            <MessageList
              room={room}
              me={me.username}
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
              draft={state.drafts[room.name] ?? ''}
              onDraft={(text) => actions.setDraft(room.name, text)}
              typing={room.typing}
              onSend={(text, files) => actions.send(text, files)}
              onTyping={() => actions.typing()}
              onUpload={(file, name, onProgress, signal) =>
                chat.upload(room.name, file, name, onProgress, signal)
              }
            />
          </>
        ) : (
          <p class="empty">Pick a room, or create one, to start chatting.</p>
        )}
      </main>
    </div>
  )
}
