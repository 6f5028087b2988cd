/**
 * Binds the chat state to the link both ways: frames, status and readiness come in (frames through
 * the pure reducers, then their effects run); joins and leaves go out as rooms come and go.
 */
import type { ChatLink, ChatLinkListener } from '../chat-link.js'
import type { ChatState } from '../state/chat-state.js'
import { type Effect, reduceFrame } from '../state/frame-reducers.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export interface LinkBindingDeps {
  readonly holder: ChatStateHolder
  /** Run the reducers' effects. */
  readonly loadOlder: (room: string) => void
  readonly typingSeen: (room: string, user: string) => void
  readonly signOut: () => void
  /** The room can take sends now: send its outbox. */
  readonly flush: (room: string) => void
  /** A frame changed the outbox (ack, echo, refusal): the next message in line may go. */
  readonly outboxChanged: () => void
}

export function linkListener(deps: LinkBindingDeps): ChatLinkListener {
  const run = (effect: Effect): void => {
    if (effect.type === 'loadOlder') deps.loadOlder(effect.room)
    else if (effect.type === 'typingSeen') deps.typingSeen(effect.room, effect.user)
    else deps.signOut()
  }
  return {
    frame(frame) {
      const env = { now: Date.now(), visible: isVisible() }
      const before = deps.holder.state
      const { state, effects } = reduceFrame(before, frame, env)
      deps.holder.set(state)
      for (const effect of effects) run(effect)
      if (state.outbox !== before.outbox) deps.outboxChanged()
    },
    status(status, retryAt) {
      // Notices like "the server is restarting" are stale once we are back.
      const notice = status === 'online' ? { notice: null } : {}
      deps.holder.update((state) => ({ ...state, status, retryAt, ...notice }))
    },
    ready: (room) => deps.flush(room),
    unauthorized: () => deps.signOut(),
  }
}

/** A ChatStateHolder listener: the link joins every room the state gains and leaves every one it loses. */
export function followRooms(link: Pick<ChatLink, 'join' | 'leave'>) {
  return (state: ChatState, previous: ChatState): void => {
    if (state.roomNames === previous.roomNames) return
    for (const name of state.roomNames) if (!previous.rooms[name]) link.join(name)
    for (const name of previous.roomNames) if (!state.rooms[name]) link.leave(name)
  }
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible'
}
