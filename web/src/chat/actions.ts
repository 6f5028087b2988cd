/**
 * What the user (and the app's timers) can do in the rooms they have: open one, scroll back, send,
 * retry, discard, reconnect (joining, leaving and creating rooms: my-rooms.ts). Each changes the state through the pure updates in state/ and talks
 * to the server through the API or the link; persistence and joins follow the state on their own.
 */
import type { FileView } from '../../../src/protocol/index.js'
import type { Api } from '../api.js'
import type { ChatLink } from '../chat-link.js'
import {
  type ChatState,
  HISTORY_PAGE,
  historyPage,
  markRead,
  patchRoom,
  setDraft,
} from '../state/chat-state.js'
import type { ChatStateHolder } from '../state/state-holder.js'
import type { OutboxSender } from './outbox-sender.js'

export interface ActionDeps {
  readonly holder: ChatStateHolder
  readonly link: Pick<ChatLink, 'typing' | 'retryNow'>
  readonly sender: Pick<OutboxSender, 'add' | 'retry' | 'discard'>
  readonly api: Pick<Api, 'historyBefore'>
  /** The header's topic is not known yet: fetch it. */
  readonly loadTopic: (name: string) => void
}

export class ChatActions {
  readonly #holder: ChatStateHolder
  readonly #deps: ActionDeps

  constructor(deps: ActionDeps) {
    this.#holder = deps.holder
    this.#deps = deps
  }

  get #state(): ChatState {
    return this.#holder.state
  }

  selectRoom(name: string): void {
    const before = this.#state.rooms[name]
    const newSince = before && before.readSeq < before.lastSeq ? before.readSeq : null
    this.#holder.set({ ...this.#state, current: name, newSince, highlight: null })
    this.markRead(name)
    const room = this.#state.rooms[name]
    if (room && room.messages.length === 0) void this.loadOlder(name)
    if (room?.topic === undefined) this.#deps.loadTopic(name)
  }

  /** Loads the page of history before the oldest message we hold (scroll-back). */
  async loadOlder(name: string): Promise<void> {
    const room = this.#state.rooms[name]
    if (!room || room.history === 'loading' || room.history === 'done') return
    const before = room.messages[0]?.seq ?? room.lastSeq + 1
    const patch = (history: 'done' | 'loading' | 'error') =>
      this.#holder.update((state) => patchRoom(state, name, { history }))
    if (before <= 1) return patch('done')
    patch('loading')
    try {
      const page = await this.#deps.api.historyBefore(name, before, HISTORY_PAGE)
      this.#holder.update((state) => historyPage(state, name, page))
    } catch {
      patch('error')
    }
  }

  /**
   * A message of text, files, or both (the files already uploaded: see upload.ts), to the open
   * room; a reply if the composer is in reply mode, which ends with it.
   */
  send(text: string, attachments: readonly FileView[] = []): boolean {
    const room = this.#state.current
    if (!room || (text.trim() === '' && attachments.length === 0)) return false
    const replyTo = this.#state.rooms[room]?.replyTo ?? null
    if (replyTo !== null) this.#holder.update((state) => patchRoom(state, room, { replyTo: null }))
    // A message of files alone has no text at all, not blank text.
    this.#deps.sender.add(
      room,
      attachments.length > 0 && text.trim() === '' ? '' : text,
      attachments,
      replyTo ?? undefined,
    )
    return true
  }

  /** Resends with the same cid (in order, see outbox-sender.ts), so nothing is stored twice. */
  retry(cid: string): void {
    this.#deps.sender.retry(cid)
  }

  discard(cid: string): void {
    this.#deps.sender.discard(cid)
  }

  /** "Retry now" in the connection banner: reconnect without waiting out the backoff. */
  reconnectNow(): void {
    this.#deps.link.retryNow()
  }

  /** The composer's text for `room`, kept per room and across reloads. */
  setDraft(room: string, text: string): void {
    this.#holder.update((state) => setDraft(state, room, text))
  }

  typing(): void {
    const room = this.#state.current
    if (room) this.#deps.link.typing(room)
  }

  markRead(name: string): void {
    this.#holder.update((state) => markRead(state, name))
  }

  dismissNotice(): void {
    this.#holder.set({ ...this.#state, notice: null })
  }
}
