/** Holds the current ChatState and tells subscribers (views, persistence, the link) when it changes. */
import type { ChatState } from './chat-state.js'

export type StateListener = (state: ChatState, previous: ChatState) => void

export class ChatStateHolder {
  #state: ChatState
  readonly #listeners = new Set<StateListener>()

  constructor(initial: ChatState) {
    this.#state = initial
  }

  get state(): ChatState {
    return this.#state
  }

  /**
   * Listeners compare `state` with `previous` to see what changed. They must not call `set`
   * synchronously: a nested change would reach later listeners before the one that caused it.
   */
  subscribe(listener: StateListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  set(next: ChatState): void {
    const previous = this.#state
    if (next === previous) return
    this.#state = next
    for (const listener of this.#listeners) listener(next, previous)
  }

  update(change: (state: ChatState) => ChatState): void {
    this.set(change(this.#state))
  }
}
