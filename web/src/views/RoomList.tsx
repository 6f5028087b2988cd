/**
 * The sidebar: my rooms and my direct messages (GET /api/me/rooms, kept live by the user channel)
 * with unread and mention badges, public rooms to join (the paged GET /api/rooms), new rooms, new
 * DMs, desktop notifications, who I am and log out; the search box, whose results replace the lists.
 */
import type { ComponentChildren } from 'preact'
import type { DesktopNotifier } from '../notifications.js'
import type { ChatState } from '../state/chat-state.js'
import { roomLabel } from '../state/room-list.js'
import { NewDmForm } from './NewDmForm.js'
import { NewRoomForm } from './NewRoomForm.js'
import { NotificationToggle } from './NotificationToggle.js'
import { RoomButton } from './RoomButton.js'

interface Props {
  readonly state: ChatState
  readonly onSelect: (room: string) => void
  readonly onJoin: (room: string) => void
  readonly onMoreRooms: () => void
  readonly onRefreshRooms: () => void
  readonly onCreate: (room: string, visibility: 'public' | 'private') => Promise<string | null>
  readonly onOpenDm: (usernames: readonly string[]) => Promise<string | null>
  readonly knownPeople: () => Iterable<string>
  readonly onNeedPeople: () => void
  readonly onLogout: () => void
  readonly notifier: DesktopNotifier
  /** The search box, under the brand. */
  readonly search?: ComponentChildren
  /** While search results show, they take the room lists' place. */
  readonly searching?: boolean
}

export function RoomList(props: Props) {
  const { state, onSelect, onJoin, onMoreRooms, onLogout } = props
  const me = state.me.username
  const mine = state.roomNames.flatMap((name) => state.rooms[name] ?? [])
  const rooms = mine.filter((room) => room.kind !== 'dm')
  // DMs by the names shown, not by their rooms' hashed names.
  const dms = mine
    .filter((room) => room.kind === 'dm')
    .map((room) => ({ room, label: roomLabel(room, me) }))
    .sort((a, b) => (a.label.toLowerCase() < b.label.toLowerCase() ? -1 : 1))
    .map(({ room }) => room)
  const button = (room: (typeof mine)[number]) => (
    <RoomButton
      key={room.name}
      room={room}
      me={me}
      current={room.name === state.current}
      onSelect={onSelect}
    />
  )

  return (
    <nav class="sidebar" aria-label="Rooms">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          e
        </span>{' '}
        Eddy
      </div>
      {props.search}
      {!props.searching && (
        <div class="sidebar-scroll">
          <h2 class="sidebar-title">Rooms</h2>
          <ul class="room-list" aria-label="Joined rooms">
            {rooms.map(button)}
          </ul>
          {dms.length > 0 && (
            <>
              <h2 class="sidebar-title">Direct messages</h2>
              <ul class="room-list" aria-label="Direct messages">
                {dms.map(button)}
              </ul>
            </>
          )}
          <div class="sidebar-title-row">
            <h2 class="sidebar-title">Other rooms</h2>
            <button
              type="button"
              class="ghost small"
              aria-label="Refresh other rooms"
              onClick={props.onRefreshRooms}
            >
              ↻
            </button>
          </div>
          {state.otherRooms.length > 0 ? (
            <ul class="room-list other-rooms" aria-label="Other rooms">
              {state.otherRooms.map(({ name: roomName }) => (
                <li key={roomName}>
                  <button
                    type="button"
                    class="room-button"
                    aria-label={`Join ${roomName}`}
                    onClick={() => onJoin(roomName)}
                  >
                    <span class="hash" aria-hidden="true">
                      #
                    </span>
                    <span class="room-name">{roomName}</span>
                    <span class="join-hint" aria-hidden="true">
                      Join
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p class="sidebar-empty">No other public rooms.</p>
          )}
          {state.moreRooms !== null && (
            <button type="button" class="ghost more-rooms" onClick={onMoreRooms}>
              More rooms
            </button>
          )}
        </div>
      )}
      <NewRoomForm onCreate={props.onCreate} />
      <NewDmForm
        me={me}
        known={props.knownPeople}
        onNeedPeople={props.onNeedPeople}
        onOpen={props.onOpenDm}
      />
      <NotificationToggle notifier={props.notifier} />
      <div class="me">
        <span class="avatar" aria-hidden="true">
          {me.slice(0, 1).toUpperCase()}
        </span>
        <span class="me-name">{me}</span>
        <button type="button" class="ghost" onClick={onLogout}>
          Log out
        </button>
      </div>
    </nav>
  )
}
