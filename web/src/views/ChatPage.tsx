/** `/`: wires the store to a live connection and lays out rooms, messages and the composer. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { UserView } from '../../../src/protocol/index.js'
import type { Api } from '../api.js'
import { Connection, type SocketHandlers } from '../connection.js'
import { navigate } from '../router.js'
import { ChatStore } from '../store.js'
import { Composer } from './Composer.js'
import { MessageList } from './MessageList.js'
import { RoomHeader } from './RoomHeader.js'
import { RoomList } from './RoomList.js'
import { StatusBanner } from './StatusBanner.js'
import { useChatState } from './use-store.js'

interface Props {
  readonly api: Api
  readonly me: UserView
  readonly onSignedOut: () => void
}

/** New rooms made by others have no frame of their own; the list is refreshed this often. */
const ROOM_REFRESH_MS = 30_000

function openSocket(handlers: SocketHandlers) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}/chat`)
  socket.onopen = () => handlers.onOpen()
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data)
  }
  socket.onclose = (event) => handlers.onClose(event.code)
  return socket
}

const browserTimers = {
  setTimeout: (callback: () => void, ms: number) => window.setTimeout(callback, ms),
  clearTimeout: (id: number) => window.clearTimeout(id),
}

export function ChatPage({ api, me, onSignedOut }: Props) {
  // One store and connection per signed-in user; a new onSignedOut identity must not rebuild them.
  const latestOnSignedOut = useRef(onSignedOut)
  latestOnSignedOut.current = onSignedOut
  const store = useMemo(() => {
    const signedOut = () => {
      latestOnSignedOut.current()
      navigate('/login', true)
    }
    const chat = new ChatStore(me, api, localStorage, signedOut)
    return { chat, connection: new Connection({ openSocket, api, timers: browserTimers }, chat) }
  }, [api, me])
  const state = useChatState(store.chat)
  const [roomsOpen, setRoomsOpen] = useState(false)

  useEffect(() => {
    const { chat, connection } = store
    chat.attach(connection)
    connection.start()
    void chat.loadRooms()
    const refresh = window.setInterval(() => void chat.loadRooms(), ROOM_REFRESH_MS)
    const online = () => connection.retryNow()
    const offline = () => connection.kick()
    const visible = () => {
      if (document.visibilityState === 'visible' && chat.state.current)
        chat.markRead(chat.state.current)
    }
    addEventListener('online', online)
    addEventListener('offline', offline)
    document.addEventListener('visibilitychange', visible)
    return () => {
      connection.stop()
      chat.stopPresencePolling()
      window.clearInterval(refresh)
      removeEventListener('online', online)
      removeEventListener('offline', offline)
      document.removeEventListener('visibilitychange', visible)
    }
  }, [store])

  const logout = async () => {
    store.connection.stop()
    store.chat.stopPresencePolling()
    await api.logout().catch(() => undefined)
    onSignedOut()
    navigate('/login', true)
  }

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
          store.chat.selectRoom(name)
          setRoomsOpen(false)
        }}
        onJoin={(name) => {
          store.chat.joinRoom(name)
          setRoomsOpen(false)
        }}
        onCreate={(name) => store.chat.createRoom(name)}
        onLogout={() => void logout()}
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
          onLeave={(name) => store.chat.leaveRoom(name)}
        />
        <StatusBanner
          status={state.status}
          notice={state.notice}
          onDismiss={() => store.chat.dismissNotice()}
        />
        {room ? (
          <>
            <MessageList
              room={room}
              me={me.username}
              outbox={state.outbox.filter((item) => item.room === room.name)}
              failures={state.failures}
              online={state.status === 'online' || state.status === 'polling'}
              onLoadOlder={() => void store.chat.loadOlder(room.name)}
              onRetry={(cid) => store.chat.retry(cid)}
              onDiscard={(cid) => store.chat.discard(cid)}
            />
            <Composer
              room={room.name}
              typing={room.typing}
              onSend={(text) => store.chat.send(text)}
              onTyping={() => store.chat.typing()}
            />
          </>
        ) : (
          <p class="empty">Pick a room, or create one, to start chatting.</p>
        )}
      </main>
    </div>
  )
}
