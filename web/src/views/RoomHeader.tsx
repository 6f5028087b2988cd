/** The room's title bar: name, who is online, Leave (not for the lobby), and the rooms toggle for phone widths. */
import { LOBBY, type RoomState } from '../state/chat-state.js'

interface Props {
  readonly room: RoomState | undefined
  /** Connected (socket or fallback): otherwise who is online is not known, and not shown. */
  readonly live: boolean
  readonly roomsOpen: boolean
  readonly onToggleRooms: () => void
  readonly onLeave: (room: string) => void
}

export function RoomHeader({ room, live, roomsOpen, onToggleRooms, onLeave }: Props) {
  return (
    <header class="room-header">
      <button
        type="button"
        class="ghost rooms-toggle"
        aria-expanded={roomsOpen}
        aria-label="Show rooms"
        onClick={onToggleRooms}
      >
        ☰
      </button>
      <h1 class="room-title">{room ? `# ${room.name}` : 'Eddy'}</h1>
      {room && live && (
        <div class="online" role="group" aria-label="Online in this room">
          <span class="dot" aria-hidden="true" />
          <span class="online-count">{room.online.length} online</span>
          <ul class="online-list">
            {room.online.map((user) => (
              <li key={user}>{user}</li>
            ))}
          </ul>
        </div>
      )}
      {room && !live && (
        <div class="online stale" role="group" aria-label="Online in this room">
          <span class="dot" aria-hidden="true" />
          <span class="online-count">Online: unknown while disconnected</span>
        </div>
      )}
      {room && room.name !== LOBBY && (
        <button
          type="button"
          class="ghost small leave"
          aria-label={`Leave #${room.name}`}
          onClick={() => onLeave(room.name)}
        >
          Leave
        </button>
      )}
    </header>
  )
}
