/** One of my rooms in the sidebar: its sign (# or a lock; none for a DM), name, mention and unread badges. */
import { type RoomState, unreadCount } from '../state/chat-state.js'
import { roomLabel } from '../state/room-list.js'

interface Props {
  readonly room: RoomState
  readonly me: string
  readonly current: boolean
  readonly onSelect: (room: string) => void
}

const count = (n: number) => (n > 99 ? '99+' : String(n))

export function RoomButton({ room, me, current, onSelect }: Props) {
  const unread = current ? 0 : unreadCount(room, me)
  const mentions = current ? 0 : room.mentions
  const label = roomLabel(room, me)
  return (
    <li>
      <button
        type="button"
        class={current ? 'room-button current' : 'room-button'}
        aria-current={current ? 'page' : undefined}
        data-room={room.name}
        onClick={() => onSelect(room.name)}
      >
        {room.kind === 'private' ? (
          <span class="hash lock" role="img" aria-label="Private:">
            🔒
          </span>
        ) : room.kind === 'dm' ? (
          <span class="hash" aria-hidden="true">
            @
          </span>
        ) : (
          <span class="hash" aria-hidden="true">
            #
          </span>
        )}
        <span class="room-name">{label}</span>
        {mentions > 0 && (
          <span
            class="badge mention-badge"
            aria-label={`${mentions} mention${mentions === 1 ? '' : 's'}`}
          >
            @{count(mentions)}
          </span>
        )}
        {unread > 0 && (
          <span class="badge" aria-label={`${unread} unread`}>
            {count(unread)}
          </span>
        )}
      </button>
    </li>
  )
}
