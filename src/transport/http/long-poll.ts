/**
 * Parked long-poll requests: each is one more room subscriber (ChatService.subscribe, like a
 * WebSocket), answered on the first message after its cursor or at its deadline. Deadlines are checked by one shared tick, not a timer per
 * request, so thousands of parked polls cost a closure and a set entry each.
 */
import { randomUUID } from 'node:crypto'
import type { ChatService } from '../../domain/chat-service.js'
import { ChatError } from '../../domain/errors.js'
import type { Clock } from '../../domain/ports.js'
import type { RoomSubscriber } from '../../domain/subscriber.js'
import type { ChatMessage } from '../../protocol/frames.js'
import type { TurnPacer } from './turn-pacer.js'

interface ParkedPoll {
  readonly deadline: number
  readonly finish: () => void
}

const TICK_MS = 200

export class LongPolls {
  readonly #chat: ChatService
  readonly #clock: Clock
  readonly #pacer: TurnPacer
  readonly #parked = new Set<ParkedPoll>()
  /** Parked polls per user, for the cap; users with none have no entry. */
  readonly #perUser = new Map<string, number>()
  readonly #maxPerUser: number | undefined
  #tick: NodeJS.Timeout | undefined
  #closed = false

  /** `maxPerUser`: parked polls one user may hold on this node; undefined: no cap. */
  constructor(chat: ChatService, clock: Clock, pacer: TurnPacer, maxPerUser?: number) {
    this.#chat = chat
    this.#clock = clock
    this.#pacer = pacer
    this.#maxPerUser = maxPerUser
  }

  get size(): number {
    return this.#parked.size
  }

  /**
   * Resolves with up to `limit` messages with seq > afterSeq, oldest first, as soon as one exists,
   * or with [] when waitMs passes, the client goes away (`gone`) or the server shuts down.
   * Rejects with too_many_polls when the user already has the most parked polls allowed: each
   * costs memory until its deadline, so one user must not be able to park thousands.
   */
  async wait(
    room: string,
    user: string,
    afterSeq: number,
    limit: number,
    waitMs: number,
    gone: AbortSignal,
  ): Promise<ChatMessage[]> {
    if (this.#closed || gone.aborted) return []
    const held = this.#perUser.get(user) ?? 0
    if (this.#maxPerUser !== undefined && held >= this.#maxPerUser) {
      throw new ChatError('too_many_polls')
    }
    this.#perUser.set(user, held + 1)
    const collected: ChatMessage[] = []
    let finished = false
    let resolveWait: (messages: ChatMessage[]) => void = () => undefined
    const result = new Promise<ChatMessage[]>((resolve) => (resolveWait = resolve))

    const parked: ParkedPoll = {
      deadline: this.#clock.now() + waitMs,
      finish: () => {
        if (finished) return
        finished = true
        this.#parked.delete(parked)
        const left = (this.#perUser.get(user) ?? 1) - 1
        if (left > 0) this.#perUser.set(user, left)
        else this.#perUser.delete(user)
        void this.#chat.unsubscribe(subscriber, room)
        gone.removeEventListener('abort', parked.finish)
        resolveWait(collected.slice(0, limit))
      },
    }
    const subscriber: RoomSubscriber = {
      id: randomUUID(),
      user,
      deliver: (broadcast) => {
        if (broadcast.payload.seq <= afterSeq || collected.length >= limit) return
        // A catch-up page arrives synchronously: answer once it has all been collected, and one
        // message waking every parked poll answers them a slice per turn, not all in one.
        if (collected.push(broadcast.payload) === 1) this.#pacer.run(parked.finish)
      },
      event: () => undefined,
      congested: false,
      drained: () => Promise.resolve(),
      fail: () => parked.finish(),
    }

    gone.addEventListener('abort', parked.finish)
    this.#parked.add(parked)
    this.#ensureTick()
    try {
      await this.#chat.subscribe(subscriber, room, { kind: 'poll', since: afterSeq })
    } catch (error) {
      parked.finish()
      throw error
    }
    // Answered (client gone, shutdown) while the subscription was being set up: end it now.
    if (finished) await this.#chat.unsubscribe(subscriber, room)
    return result
  }

  /** Answers every parked poll now, and any that arrives later at once (shutdown). */
  closeAll(): void {
    this.#closed = true
    for (const parked of [...this.#parked]) parked.finish()
    this.#stopTick()
  }

  #ensureTick(): void {
    if (this.#tick) return
    this.#tick = setInterval(() => {
      const now = this.#clock.now()
      for (const parked of this.#parked) {
        if (parked.deadline <= now) this.#pacer.run(parked.finish)
      }
      if (this.#parked.size === 0) this.#stopTick()
    }, TICK_MS)
    this.#tick.unref()
  }

  #stopTick(): void {
    if (this.#tick) clearInterval(this.#tick)
    this.#tick = undefined
  }
}
