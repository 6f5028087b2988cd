/** A RoomSubscriber for domain unit tests: records what it is handed; the test drives congestion. */
import type { Broadcast, RoomEvent, RoomSubscriber } from '../../src/domain/subscriber.js'
import type { ChatMessage } from '../../src/protocol/frames.js'

export interface FakeSubscriberOptions {
  /** Becomes congested right after being handed a seq this returns true for. */
  readonly congestWhen?: (seq: number) => boolean
  /** drained() resolves by itself on the next macrotask, instead of waiting for drain(). */
  readonly autoDrain?: boolean
}

export class FakeSubscriber implements RoomSubscriber {
  readonly seqs: number[] = []
  readonly broadcasts: Array<Broadcast<ChatMessage>> = []
  readonly events: Array<Broadcast<RoomEvent>> = []
  readonly failures: Array<{ room: string; error: unknown }> = []
  congested = false
  /** How many times the feed has waited on drained(). */
  drainWaits = 0
  readonly #options: FakeSubscriberOptions
  #drainWaiters: Array<() => void> = []
  #conditions: Array<{ holds: () => boolean; resolve: () => void }> = []

  constructor(
    readonly id: string,
    readonly user: string = id,
    options: FakeSubscriberOptions = {},
  ) {
    this.#options = options
  }

  get messages(): ChatMessage[] {
    return this.broadcasts.map((broadcast) => broadcast.payload)
  }

  get waitingForDrain(): boolean {
    return this.#drainWaiters.length > 0
  }

  deliver(message: Broadcast<ChatMessage>): void {
    this.broadcasts.push(message)
    this.seqs.push(message.payload.seq)
    if (this.#options.congestWhen?.(message.payload.seq)) this.congested = true
    this.#check()
  }

  event(event: Broadcast<RoomEvent>): void {
    this.events.push(event)
    this.#check()
  }

  fail(room: string, error: unknown): void {
    this.failures.push({ room, error })
    this.#check()
  }

  drained(): Promise<void> {
    this.drainWaits += 1
    if (this.#options.autoDrain) {
      return new Promise((resolve) =>
        setImmediate(() => {
          this.congested = false
          resolve()
        }),
      )
    }
    const waiting = new Promise<void>((resolve) => this.#drainWaiters.push(resolve))
    this.#check()
    return waiting
  }

  /** The outgoing buffer empties: whoever waits on drained() goes on. */
  drain(): void {
    this.congested = false
    const waiters = this.#drainWaiters
    this.#drainWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** Resolves once `holds` is true, re-checked after every call the feed makes on this subscriber. */
  until(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve()
    return new Promise((resolve) => this.#conditions.push({ holds, resolve }))
  }

  seen(seq: number): Promise<void> {
    return this.until(() => this.seqs.includes(seq))
  }

  #check(): void {
    this.#conditions = this.#conditions.filter((condition) => {
      if (!condition.holds()) return true
      condition.resolve()
      return false
    })
  }
}
