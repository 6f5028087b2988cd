/**
 * The sidebar: joined rooms with unread and mention counts, other rooms to join, room creation,
 * desktop notifications, who I am and log out; the search box, whose results replace the lists.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { DesktopNotifier } from '../notifications.js'
import { type ChatState, unreadCount } from '../state/chat-state.js'
import { roomNameProblem } from '../validation.js'
import { NotificationToggle } from './NotificationToggle.js'

interface Props {
  readonly state: ChatState
  readonly onSelect: (room: string) => void
  readonly onJoin: (room: string) => void
  readonly onMoreRooms: () => void
  readonly onCreate: (room: string) => Promise<string | null>
  readonly onLogout: () => void
  readonly notifier: DesktopNotifier
  /** The search box, under the brand. */
  readonly search?: ComponentChildren
  /** While search results show, they take the room list's place. */
  readonly searching?: boolean
}

export function RoomList(props: Props) {
  const { state, onSelect, onJoin, onMoreRooms, onCreate, onLogout } = props
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)

  const create = async (event: Event) => {
    event.preventDefault()
    const problem = roomNameProblem(name.trim())
    if (problem) return setError(problem)
    setError(null)
    const failure = await onCreate(name.trim())
    if (failure) setError(failure)
    else setName('')
  }

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
        <>
          <h2 class="sidebar-title">Rooms</h2>
          <ul class="room-list" aria-label="Joined rooms">
            {state.roomNames.map((roomName) => {
              const room = state.rooms[roomName]
              const unread =
                room && roomName !== state.current ? unreadCount(room, state.me.username) : 0
              const current = roomName === state.current
              const mentions = room && !current ? room.mentions : 0
              return (
                <li key={roomName}>
                  <button
                    type="button"
                    class={current ? 'room-button current' : 'room-button'}
                    aria-current={current ? 'page' : undefined}
                    onClick={() => onSelect(roomName)}
                  >
                    <span class="hash" aria-hidden="true">
                      #
                    </span>
                    <span class="room-name">{roomName}</span>
                    {mentions > 0 && (
                      <span
                        class="badge mention-badge"
                        aria-label={`${mentions} mention${mentions === 1 ? '' : 's'}`}
                      >
                        @{mentions > 99 ? '99+' : mentions}
                      </span>
                    )}
                    {unread > 0 && (
                      <span class="badge" aria-label={`${unread} unread`}>
                        {unread > 99 ? '99+' : unread}
                      </span>
                    )}
                  </button>
                </li>
              )
            })}
          </ul>
          {state.otherRooms.length > 0 && (
            <>
              <h2 class="sidebar-title">Other rooms</h2>
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
            </>
          )}
          {state.moreRooms !== null && (
            <button type="button" class="ghost more-rooms" onClick={onMoreRooms}>
              More rooms
            </button>
          )}
          <form class="new-room" onSubmit={(e) => void create(e)} noValidate>
            <label for="new-room">New room</label>
            <div class="row">
              <input
                id="new-room"
                value={name}
                placeholder="room-name"
                autoComplete="off"
                aria-invalid={error ? 'true' : 'false'}
                aria-describedby={error ? 'new-room-error' : undefined}
                onInput={(e) => setName(e.currentTarget.value)}
              />
              <button type="submit" class="secondary">
                Create
              </button>
            </div>
            {error && (
              <p class="field-error" id="new-room-error" role="alert">
                {error}
              </p>
            )}
          </form>
        </>
      )}
      <NotificationToggle notifier={props.notifier} />
      <div class="me">
        <span class="avatar" aria-hidden="true">
          {state.me.username.slice(0, 1).toUpperCase()}
        </span>
        <span class="me-name">{state.me.username}</span>
        <button type="button" class="ghost" onClick={onLogout}>
          Log out
        </button>
      </div>
    </nav>
  )
}
