/**
 * The room's title bar: name (a DM's by its people), topic, who is online, Members (the panel),
 * Leave (not for the lobby), and the rooms toggle for phone widths.
 */
import { LOBBY, type RoomState } from '../state/chat-state.js'
import { roomLabel } from '../state/room-list.js'

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
  readonly me: string
  readonly membersOpen: boolean
  readonly onToggleMembers: () => void
}

export function RoomHeader(props: Props) {
  const { room, presence, roomsOpen, onToggleRooms, onLeave } = props
  const label = room ? roomLabel(room, props.me) : ''
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
      <div class="room-heading">
        <h1 class="room-title">
          {!room ? 'Eddy' : room.kind === 'dm' ? `@ ${label}` : `# ${room.name}`}
          {room?.kind === 'private' && (
            <span class="lock" role="img" aria-label="(private)">
              {' '}
              🔒
            </span>
          )}
        </h1>
        {room?.topic && (
          <p class="topic" dir="auto" title={room.topic}>
            {room.topic}
          </p>
        )}
      </div>
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
      {room && (
        <button
          type="button"
          class="ghost small members-toggle"
          aria-expanded={props.membersOpen}
          onClick={props.onToggleMembers}
        >
          Members
        </button>
      )}
      {room && room.name !== LOBBY && room.kind !== 'dm' && (
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
