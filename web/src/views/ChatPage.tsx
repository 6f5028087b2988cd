/**
 * `/`: lays out rooms, messages and the composer of a chat client built by app.ts, and moves
 * focus on every view change (focus.ts): to the message box on arrival and on opening, joining or
 * creating a room; to the room list after leaving one; into the phone's room drawer and back.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { ChatClient } from '../app.js'
import { canDelete } from '../chat/message-actions.js'
import { totalUnread } from '../state/room-list.js'
import type { ShownMessage } from '../state/message-changes.js'
import { Composer } from './Composer.js'
import { ConfirmDelete } from './ConfirmDelete.js'
import type { MessageHandlers, MessageView } from './message-view.js'
import { useFocusRequest } from './focus.js'
import { MembersPanel } from './MembersPanel.js'
import { MessageList } from './MessageList.js'
import { RoomHeader } from './RoomHeader.js'
import { RoomList } from './RoomList.js'
import { SearchPanel } from './SearchPanel.js'
import { StatusBanner } from './StatusBanner.js'
import { useChatState } from './use-chat-state.js'

/** The phone layout's breakpoint, as in styles.css. */
const PHONE_WIDTH = '(max-width: 720px)'

interface Props {
  readonly chat: ChatClient
}

export function ChatPage({ chat }: Props) {
  const { actions, me, messages, rooms } = chat
  const state = useChatState(chat.holder)
  const [roomsOpen, setRoomsOpen] = useState(false)
  const [searching, setSearching] = useState(false)
  const [membersOpen, setMembersOpen] = useState(false)
  // The tab says how much is unread everywhere, so it shows among the browser's tabs.
  const unread = totalUnread(state)
  useEffect(() => {
    document.title = unread > 0 ? `(${unread > 99 ? '99+' : unread}) Eddy` : 'Eddy'
  }, [unread])
  // The drawer exists only at phone width (styles.css): grown past it, an open drawer would leave
  // the room inert with no visible way to close it.
  useEffect(() => {
    const phone = matchMedia(PHONE_WIDTH)
    const close = () => {
      if (!phone.matches) setRoomsOpen(false)
    }
    phone.addEventListener('change', close)
    return () => phone.removeEventListener('change', close)
  }, [])
  const focus = useFocusRequest(['composer'])
  const toRoom = () => {
    setRoomsOpen(false)
    focus('composer')
  }
  const openRooms = (open: boolean) => {
    setRoomsOpen(open)
    focus(open ? 'drawer' : 'rooms-toggle')
  }
  const openMembers = (open: boolean) => {
    setMembersOpen(open)
    focus(open ? 'members-panel' : 'members-toggle')
  }
  /** Everyone this client knows of, for the DM box's suggestions. */
  const knownPeople = () => {
    const people = new Set<string>()
    for (const known of Object.values(chat.holder.state.rooms)) {
      for (const name of known.members ?? []) people.add(name)
      for (const name of known.online) people.add(name)
    }
    return people
  }

  /** The message whose deletion waits for confirmation (the dialog is open while set). */
  const [confirming, setConfirming] = useState<ShownMessage | null>(null)

  const room = state.current ? state.rooms[state.current] : undefined
  const live = state.status === 'online' || state.status === 'polling'
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
        if (e.key === 'Escape' && roomsOpen) openRooms(false)
      }}
    >
      <RoomList
        state={state}
        onSelect={(name) => {
          actions.selectRoom(name)
          toRoom()
        }}
        onJoin={(name) => {
          void rooms.join(name).then((joined) => joined && toRoom())
        }}
        onMoreRooms={() => void rooms.loadMore()}
        onRefreshRooms={() => void rooms.refreshDirectory()}
        onCreate={async (name, visibility) => {
          const failure = await rooms.create(name, visibility)
          if (failure === null) toRoom()
          return failure
        }}
        onOpenDm={async (names) => {
          const failure = await rooms.openDm(names)
          if (failure === null) toRoom()
          return failure
        }}
        knownPeople={knownPeople}
        onNeedPeople={() => void messages.loadMembers('lobby')}
        onLogout={() => void chat.logout()}
        notifier={chat.notifier}
        searching={searching}
        search={
          <SearchPanel
            search={(q, before) => chat.search(q, before)}
            onActive={setSearching}
            onOpen={(name, seq) => {
              // Open the room (join it if it is not listed: a public room found by name), then
              // load back to the message; the jump focuses it (MessageList), the drawer closes.
              void rooms.join(name).then((open) => {
                if (!open) return
                void messages.jumpTo(name, seq)
                setRoomsOpen(false)
              })
            }}
          />
        }
      />
      {roomsOpen && (
        <button
          type="button"
          class="backdrop"
          aria-label="Close rooms"
          onClick={() => openRooms(false)}
        />
      )}
      {/* Behind the open drawer, the room is out of reach of Tab and screen readers. */}
      <main class="room" aria-label={room ? `Room ${room.name}` : 'Chat'} inert={roomsOpen}>
        <RoomHeader
          room={room}
          presence={live ? 'live' : state.status === 'reconnecting' ? 'unknown' : 'pending'}
          onToggleRooms={() => openRooms(!roomsOpen)}
          roomsOpen={roomsOpen}
          onLeave={(name) => {
            void rooms.leave(name).then((gone) => {
              if (!gone) return
              setMembersOpen(false)
              focus('current-room', 'composer')
            })
          }}
          me={me.username}
          membersOpen={membersOpen}
          onToggleMembers={() => openMembers(!membersOpen)}
        />
        <StatusBanner
          status={state.status}
          retryAt={state.retryAt}
          networkOffline={state.networkOffline}
          notice={state.notice}
          onRetryNow={() => actions.reconnectNow()}
          onDismiss={() => actions.dismissNotice()}
        />
        {room && view ? (
          <>
            <MessageList
              room={room}
              view={view}
              outbox={state.outbox.filter((item) => item.room === room.name)}
              failures={state.failures}
              stalled={state.stalled}
              sentSeq={state.sentSeq[room.name]}
              online={live}
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
        {room && membersOpen && (
          <MembersPanel
            key={room.name}
            room={room}
            me={{ username: me.username, role: room.role, admin: state.admin }}
            admin={chat.admin}
            onClose={() => openMembers(false)}
          />
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
