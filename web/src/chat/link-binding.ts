/**
 * Binds the chat state to the link both ways: frames, status and readiness come in (frames through
 * the pure reducers, then their effects run); joins and leaves go out as rooms come and go.
 */
import type { NotifyFrame } from '../../../src/protocol/index.js'
import type { ChatLink, ChatLinkListener, Timers } from '../chat-link.js'
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
  /** A mention or DM for me (a desktop notification, if the tab is hidden and allowed). */
  readonly notify: (frame: NotifyFrame) => void
  /** A frame changed the outbox (ack, echo, refusal): the next message in line may go. */
  readonly outboxChanged: () => void
  /**
   * My rooms changed on the server (`pruned`: after a reconnect, membership frames may have been
   * missed, so rooms no longer listed go too): fetch GET /api/me/rooms again.
   */
  readonly syncRooms: (prune: boolean) => void
}

export function linkListener(deps: LinkBindingDeps): ChatLinkListener {
  const run = (effect: Effect): void => {
    if (effect.type === 'loadOlder') deps.loadOlder(effect.room)
    else if (effect.type === 'typingSeen') deps.typingSeen(effect.room, effect.user)
    else if (effect.type === 'notify') deps.notify(effect.frame)
    else if (effect.type === 'syncRooms') deps.syncRooms(false)
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
      const was = deps.holder.state.status
      deps.holder.update((state) => ({ ...state, status, retryAt, ...notice }))
      // Back after an outage: the user channel is live only, so what it said meanwhile is lost.
      if (status === 'online' && (was === 'reconnecting' || was === 'polling')) deps.syncRooms(true)
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

/** Read marks go to the server at most this often per room (reading a busy room moves it a lot). */
const READ_SEND_DELAY_MS = 1_500

/**
 * A ChatStateHolder listener: a read mark that moved forward goes to the server (so the unread
 * and mention counts of GET /api/me/rooms, other tabs and other devices follow), once per pause.
 */
export function followReadMarks(link: Pick<ChatLink, 'read'>, timers: Timers) {
  const waiting = new Map<string, number>()
  let latest: ChatState | null = null
  return (state: ChatState, previous: ChatState): void => {
    latest = state
    for (const name of state.roomNames) {
      const room = state.rooms[name]
      const seq = room?.readSeq ?? 0
      if (seq <= (previous.rooms[name]?.readSeq ?? seq) || waiting.has(name)) continue
      // Moved by the server's own word (a `read` from another device): nothing to tell it.
      if (room && seq <= room.serverReadSeq) continue
      const timer = timers.setTimeout(() => {
        waiting.delete(name)
        const now = latest?.rooms[name]
        if (now && now.readSeq > now.serverReadSeq) link.read(name, now.readSeq)
      }, READ_SEND_DELAY_MS)
      waiting.set(name, timer)
    }
  }
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible'
}
