/**
 * What survives a reload, kept in localStorage per user: the outbox (via outbox.ts), read marks,
 * the rooms left, the drafts per room and the room last open. Loads once at start, then mirrors state changes back.
 */
import { Outbox, type KeyValueStore, type OutboxItem } from '../outbox.js'
import { LOBBY, type ChatState, type SavedChat } from '../state/chat-state.js'

export class ChatPersistence {
  readonly #storage: KeyValueStore
  readonly #outbox: Outbox
  readonly #readKey: string
  readonly #leftKey: string
  readonly #currentKey: string
  readonly #draftsKey: string

  constructor(storage: KeyValueStore, username: string) {
    this.#storage = storage
    this.#outbox = new Outbox(storage, `eddy.outbox.${username}`)
    this.#readKey = `eddy.read.${username}`
    this.#leftKey = `eddy.left.${username}`
    this.#currentKey = `eddy.current.${username}`
    this.#draftsKey = `eddy.drafts.${username}`
  }

  load(): SavedChat {
    return {
      outbox: this.#outbox.items,
      left: this.#loadLeft(),
      readMarks: this.#loadRead(),
      drafts: this.#loadDrafts(),
    }
  }

  /** The room open before the reload, if any. */
  savedCurrent(): string | null {
    return this.#storage.getItem(this.#currentKey)
  }

  /** A ChatStateHolder listener: writes whatever changed. */
  save(state: ChatState, previous: ChatState): void {
    if (state.outbox !== previous.outbox) this.#saveOutbox(state.outbox, previous.outbox)
    if (state.readMarks !== previous.readMarks)
      this.#storage.setItem(this.#readKey, JSON.stringify(state.readMarks))
    if (state.left !== previous.left)
      this.#storage.setItem(this.#leftKey, JSON.stringify(state.left))
    if (state.drafts !== previous.drafts)
      this.#storage.setItem(this.#draftsKey, JSON.stringify(state.drafts))
    if (state.current !== null && state.current !== previous.current)
      this.#storage.setItem(this.#currentKey, state.current)
  }

  /** Applies the difference through the Outbox, which keeps its own copy in step with storage. */
  #saveOutbox(items: readonly OutboxItem[], before: readonly OutboxItem[]): void {
    const now = new Map(items.map((item) => [item.cid, item]))
    for (const item of before) if (!now.has(item.cid)) this.#outbox.remove(item.cid)
    const was = new Map(before.map((item) => [item.cid, item]))
    for (const item of items) {
      const old = was.get(item.cid)
      if (!old) this.#outbox.add(item)
      if ((old?.failed ?? false) !== item.failed) this.#outbox.setFailed(item.cid, item.failed)
    }
  }

  #loadRead(): Record<string, number> {
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#readKey) ?? '{}')
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, number>) : {}
    } catch {
      return {}
    }
  }

  #loadDrafts(): Record<string, string> {
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#draftsKey) ?? '{}')
      if (typeof parsed !== 'object' || parsed === null) return {}
      const drafts: Record<string, string> = {}
      for (const [room, text] of Object.entries(parsed))
        if (typeof text === 'string') drafts[room] = text
      return drafts
    } catch {
      return {}
    }
  }

  #loadLeft(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#leftKey) ?? '[]')
      if (!Array.isArray(parsed)) return []
      const names = parsed.filter((n): n is string => typeof n === 'string' && n !== LOBBY)
      return [...new Set(names)].sort()
    } catch {
      return []
    }
  }
}
