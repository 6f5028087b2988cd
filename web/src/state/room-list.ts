/**
 * Pure: my rooms as the server lists them (GET /api/me/rooms) merged into the state, rooms
 * leaving the list, how a room is named (a DM by its people), the unread total for the tab title.
 */
import type { MyRoomView } from '../../../src/protocol/index.js'
import {
  addRoom,
  type ChatState,
  LOBBY,
  patchRoom,
  type RoomState,
  unreadCount,
} from './chat-state.js'

/** Every room's unread count, for the tab title. */
export function totalUnread(state: ChatState): number {
  let total = 0
  for (const room of Object.values(state.rooms)) total += unreadCount(room, state.me.username)
  return total
}

/** How the sidebar and header name a room: a DM by the other people in it. */
export function roomLabel(room: Pick<RoomState, 'name' | 'kind' | 'members'>, me: string): string {
  if (room.kind !== 'dm' || !room.members) return room.name
  const others = room.members.filter((name) => name !== me)
  return others.length > 0 ? others.join(', ') : me
}

/**
 * The server's list of my rooms (GET /api/me/rooms): rooms added (a DM's members, my role, the
 * server's unread and mention counts), and with `prune`, rooms I am no longer in removed. A read
 * mark further on here than on the server (not sent yet) keeps this tab's mentions.
 */
export function syncMyRooms(
  state: ChatState,
  mine: readonly MyRoomView[],
  prune: boolean,
): ChatState {
  let next = state
  for (const view of mine) {
    const known = next.rooms[view.name]
    next = addRoom(next, view.name, view.lastSeq, view.kind)
    const room = next.rooms[view.name]
    if (!room) continue
    // A room new to this tab starts from the server's mark (or this browser's, if further on).
    const mark = known ? room.readSeq : (next.readMarks[view.name] ?? 0)
    const behind = view.readSeq < mark || view.name === next.current
    next = patchRoom(next, view.name, {
      kind: view.kind,
      role: view.role,
      lastSeq: Math.max(room.lastSeq, view.lastSeq),
      readSeq: Math.max(mark, view.readSeq),
      serverReadSeq: Math.max(room.serverReadSeq, view.readSeq),
      unreadBase: { readSeq: view.readSeq, upTo: view.lastSeq, count: view.unread },
      mentions: behind ? room.mentions : view.mentions,
      ...(view.members ? { members: view.members } : {}),
    })
  }
  // Rooms the server lists are mine again, whatever this browser remembered leaving.
  const listed = new Set(mine.map((view) => view.name))
  const left = next.left.filter((name) => !listed.has(name))
  if (left.length !== next.left.length) next = { ...next, left }
  if (!prune) return next
  for (const name of next.roomNames) if (!listed.has(name)) next = dropRoom(next, name, null)
  return next
}

/**
 * A room leaves my list (removed, banned from it, left elsewhere, deleted): its state goes, and if
 * it was open the lobby opens instead (or the first room left). `notice` tells why, if anything.
 */
export function dropRoom(state: ChatState, name: string, notice: string | null): ChatState {
  if (!state.rooms[name]) return state
  const { [name]: _gone, ...rooms } = state.rooms
  const roomNames = state.roomNames.filter((n) => n !== name)
  const open = state.current === name
  const current = open ? (rooms[LOBBY] ? LOBBY : (roomNames[0] ?? null)) : state.current
  return {
    ...state,
    rooms,
    roomNames,
    current,
    ...(open ? { newSince: null, highlight: null } : {}),
    ...(notice === null ? {} : { notice }),
  }
}

/** Why a room left my list, as the banner says it. */
export function removedNotice(state: ChatState, name: string): string {
  const room = state.rooms[name]
  const label = room ? roomLabel(room, state.me.username) : name
  return room?.kind === 'dm'
    ? `You were removed from the conversation with ${label}.`
    : `You were removed from #${label}.`
}

/**
 * The user channel says I am no longer in the room. It may overtake the room's own `member` event,
 * which says whether I was removed or left elsewhere, so the notice stays neutral; a room I left
 * here is dropped without one.
 */
export function noLongerIn(state: ChatState, name: string): ChatState {
  const room = state.rooms[name]
  if (!room) return state
  if (state.left.includes(name)) return dropRoom(state, name, null)
  const label = roomLabel(room, state.me.username)
  const notice =
    room.kind === 'dm'
      ? `You left the conversation with ${label}.`
      : `You are no longer in #${label}.`
  return dropRoom(state, name, notice)
}
