/**
 * What the user does to messages: react, reply, edit, delete, jump to one (a reply's parent, a
 * notification's message), and the names to complete after "@". Changes go out through the link
 * with a fresh cid and come back as log events, which the reducers apply; nothing is changed on
 * screen before the server has stored it.
 */
import type { Api } from '../api.js'
import type { ChangeFrame, ChatLink } from '../chat-link.js'
import { newCid } from '../outbox.js'
import { type ChatState, patchRoom, type RoomState } from '../state/chat-state.js'
import type { ShownMessage } from '../state/message-changes.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export interface MessageActionDeps {
  readonly holder: ChatStateHolder
  readonly link: Pick<ChatLink, 'change'>
  readonly api: Pick<Api, 'members'>
  /** Loads the room's next older page of history (ChatActions.loadOlder). */
  readonly loadOlder: (room: string) => Promise<void>
}

/** Mine, or I am the room's owner or admin, or a server admin. */
export function canDelete(state: ChatState, room: RoomState, message: ShownMessage): boolean {
  if (message.deleted) return false
  return (
    message.user === state.me.username ||
    state.admin ||
    room.role === 'owner' ||
    room.role === 'admin'
  )
}

export class MessageActions {
  readonly #deps: MessageActionDeps
  #jumps = 0

  constructor(deps: MessageActionDeps) {
    this.#deps = deps
  }

  get #state(): ChatState {
    return this.#deps.holder.state
  }

  /** Adds my reaction, or takes it back if I had reacted with this emoji already. */
  toggleReaction(room: string, seq: number, emoji: string): void {
    const message = this.#find(room, seq)
    if (!message || message.deleted) return
    const mine = message.reactions?.[emoji]?.includes(this.#state.me.username) ?? false
    const op = mine ? 'remove' : 'add'
    this.#change({ type: 'react', room, target: seq, emoji, op, cid: newCid() })
  }

  startReply(room: string, seq: number): void {
    this.#patch(room, { replyTo: seq, editing: null })
  }

  cancelReply(room: string): void {
    this.#patch(room, { replyTo: null })
  }

  startEdit(room: string, seq: number): void {
    const message = this.#find(room, seq)
    if (!message || message.deleted || message.user !== this.#state.me.username) return
    this.#patch(room, { editing: seq })
  }

  /** Up arrow in an empty composer: edit my latest message in the room, if any. */
  editLast(room: string): boolean {
    const mine = this.#state.rooms[room]?.messages.findLast(
      (m) => m.user === this.#state.me.username && !m.deleted && !m.provisional,
    )
    if (!mine) return false
    this.startEdit(room, mine.seq)
    return true
  }

  cancelEdit(room: string): void {
    this.#patch(room, { editing: null })
  }

  /** Sends the new text (unchanged text just closes the editor). False when it cannot be sent now. */
  saveEdit(room: string, seq: number, text: string): boolean {
    const message = this.#find(room, seq)
    if (!message || text.trim() === '') return false
    if (text !== message.text) {
      const sent = this.#change({ type: 'edit', room, target: seq, text, cid: newCid() })
      if (!sent) return false
    }
    this.cancelEdit(room)
    return true
  }

  delete(room: string, seq: number): void {
    this.#change({ type: 'delete', room, target: seq, cid: newCid() })
  }

  /**
   * Brings a message into view and highlights it: loads older pages until it is held (or the
   * history ends), so the list stays one unbroken run of messages.
   */
  async jumpTo(room: string, seq: number): Promise<void> {
    for (;;) {
      const state = this.#state.rooms[room]
      if (!state) return
      const oldest = state.messages[0]?.seq
      if (state.messages.some((m) => m.seq === seq) || (oldest !== undefined && oldest < seq)) break
      if (state.history === 'done' || state.history === 'error') break
      await this.#deps.loadOlder(room)
      if (this.#state.rooms[room]?.messages[0]?.seq === oldest) break
    }
    this.#jumps += 1
    this.#deps.holder.set({ ...this.#state, highlight: { room, seq, id: this.#jumps } })
  }

  /** The room's members, fetched once, for completing "@" names. */
  async loadMembers(room: string): Promise<void> {
    if (this.#state.rooms[room]?.members) return
    this.#patch(room, { members: [] })
    try {
      const members = await this.#deps.api.members(room)
      this.#patch(room, { members: members.map((m) => m.username).sort() })
    } catch {
      // Completion falls back to who is online; a later "@" tries again.
      this.#patch(room, { members: null })
    }
  }

  #change(frame: ChangeFrame): boolean {
    if (this.#deps.link.change(frame)) return true
    this.#deps.holder.set({
      ...this.#state,
      notice: 'Not connected: that change was not sent. Try again once the connection is back.',
    })
    return false
  }

  #find(room: string, seq: number): ShownMessage | undefined {
    return this.#state.rooms[room]?.messages.find((m) => m.seq === seq)
  }

  #patch(room: string, patch: Partial<RoomState>): void {
    this.#deps.holder.update((state) => patchRoom(state, room, patch))
  }
}
