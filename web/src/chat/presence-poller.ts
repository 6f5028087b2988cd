/**
 * In long-poll mode there are no presence frames: while the link is polling, the open room's
 * online list is fetched every PRESENCE_POLL_MS and whenever another room is opened.
 */
import type { Api } from '../api.js'
import { patchRoom, type ChatState } from '../state/chat-state.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export const PRESENCE_POLL_MS = 7_000

export class PresencePoller {
  #timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly holder: ChatStateHolder,
    private readonly api: Pick<Api, 'online'>,
  ) {}

  /** A ChatStateHolder listener: follows the link's status and the open room. */
  follow(state: ChatState, previous: ChatState): void {
    if (state.status !== previous.status) {
      if (state.status === 'polling') this.#start()
      else this.stop()
    } else if (state.current !== previous.current && this.#timer !== null) {
      void this.#poll()
    }
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  #start(): void {
    if (this.#timer !== null) return
    this.#timer = setInterval(() => void this.#poll(), PRESENCE_POLL_MS)
    void this.#poll()
  }

  /** Replaces the open room's online list with the server's (GET /api/rooms/:room/online). */
  async #poll(): Promise<void> {
    const { current: name, rooms, me } = this.holder.state
    if (!name || !rooms[name]) return
    try {
      // We are polling this room, so we are in it, even if this answer beat our first parked poll.
      const online = new Set([...(await this.api.online(name)), me.username])
      if (this.#timer === null) return
      this.holder.update((state) => patchRoom(state, name, { online: [...online].sort() }))
    } catch {
      // The next tick tries again; the list on screen stays as it was.
    }
  }
}
