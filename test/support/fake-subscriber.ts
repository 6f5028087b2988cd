/** A RoomSubscriber for domain unit tests: records what it is handed; the test drives congestion. */
import type {
  Broadcast,
  EndReason,
  RoomEvent,
  RoomSubscriber,
} from '../../src/domain/subscriber.js'
import type { MessageFrame, RoomLogEvent } from '../../src/protocol/frames.js'

export interface FakeSubscriberOptions {
  /** Becomes congested right after being handed a seq this returns true for. */
  readonly congestWhen?: (seq: number) => boolean
  /** drained() resolves by itself on the next macrotask, instead of waiting for drain(). */
  readonly autoDrain?: boolean
}

export class FakeSubscriber implements RoomSubscriber {
  readonly seqs: number[] = []
  readonly broadcasts: Array<Broadcast<RoomLogEvent>> = []
  readonly events: Array<Broadcast<RoomEvent>> = []
  readonly failures: Array<{ room: string; error: unknown }> = []
  readonly endings: Array<{ room: string; reason: EndReason }> = []
  /** `u-` + the username, like the domain tests' users. */
  readonly userId: string
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
    this.userId = `u-${user}`
  }

  /** The messages among the log events handed over. */
  get messages(): MessageFrame[] {
    return this.broadcasts.flatMap((b) => (b.payload.type === 'message' ? [b.payload] : []))
  }

  get waitingForDrain(): boolean {
    return this.#drainWaiters.length > 0
  }

  deliver(message: Broadcast<RoomLogEvent>): void {
    this.broadcasts.push(message)
    this.seqs.push(message.payload.seq)
    if (this.#options.congestWhen?.(message.payload.seq)) this.congested = true
    this.#check()
  }

  event(event: Broadcast<RoomEvent>): void {
    this.events.push(event)
    this.#check()
  }

  ended(room: string, reason: EndReason): void {
    this.endings.push({ room, reason })
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
