/** The room's title bar: name, who is online, Leave (not for the lobby), and the rooms toggle for phone widths. */
import { LOBBY, type RoomState } from '../state/chat-state.js'

interface Props {
  readonly room: RoomState | undefined
  /**
   * Who is online: `live` with a connection (socket or fallback), `unknown` while reconnecting
   * (the list from before may be stale), `pending` until the first connection.
   */
  readonly presence: 'live' | 'unknown' | 'pending'
  readonly roomsOpen: boolean
  readonly onToggleRooms: () => void
  readonly onLeave: (room: string) => void
}

export function RoomHeader({ room, presence, roomsOpen, onToggleRooms, onLeave }: Props) {
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
      {room && presence === 'live' && (
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
      {room && presence === 'unknown' && (
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
