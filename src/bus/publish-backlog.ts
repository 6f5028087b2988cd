/**
 * Remote publishes that failed while Redis was away, re-sent in order once it is back. Without
 * this, a node that saw Redis blink would leave other nodes missing its last messages until the
 * room's next message revealed the gap.
 */
import type { ErrorReporter } from '../redis/redis-connection.js'

interface Pending {
  readonly channel: string
  readonly payload: string
}

export interface PublishBacklogOptions {
  readonly send: (channel: string, payload: string) => Promise<unknown>
  /** Whether sending can succeed now (the connection is ready). */
  readonly canSend: () => boolean
  /** Oldest entries are dropped past this; subscribers then repair from the Store. */
  readonly maxEntries: number
  readonly report: ErrorReporter
}

export class PublishBacklog {
  readonly #queue: Pending[] = []
  #flushing = false
  #failing = false

  constructor(private readonly options: PublishBacklogOptions) {}

  get size(): number {
    return this.#queue.length
  }

  /**
   * Sends now, or queues behind earlier unsent events so other nodes still see publish order.
   * Never waits on Redis longer than one send; `replayable: false` events (typing) are never
   * queued.
   */
  async publish(channel: string, payload: string, replayable: boolean): Promise<void> {
    const pending = { channel, payload }
    if (!replayable) {
      // Order against queued events does not matter for these, and late they mean nothing.
      if (this.options.canSend()) await this.#send(pending)
      return
    }
    if (this.#queue.length === 0 && !this.#flushing && this.options.canSend()) {
      if ((await this.#send(pending)) !== 'unsent') return
    }
    this.#queue.push(pending)
    if (this.#queue.length > this.options.maxEntries) {
      this.#queue.shift()
      this.options.report(
        new Error(`publish backlog over ${this.options.maxEntries}: dropped the oldest`),
        'publish backlog',
      )
    }
    if (this.options.canSend()) void this.flush()
  }

  /** Re-sends the queue in order; stops at the first unsent event and waits for the next call. */
  async flush(): Promise<void> {
    if (this.#flushing) return
    this.#flushing = true
    try {
      let next = this.#queue[0]
      while (next && (await this.#send(next)) !== 'unsent') {
        this.#queue.shift()
        next = this.#queue[0]
      }
    } finally {
      this.#flushing = false
    }
  }

  clear(): void {
    this.#queue.length = 0
  }

  /**
   * Only a publish that never reached the socket is safe to re-send: one that timed out or lost
   * its connection mid-flight may have been delivered, and the contract is "at most once".
   */
  async #send(pending: Pending): Promise<'sent' | 'unsent' | 'maybe-lost'> {
    try {
      await this.options.send(pending.channel, pending.payload)
      this.#failing = false
      return 'sent'
    } catch (error) {
      // Log once per outage, not once per message.
      if (!this.#failing) this.options.report(error, 'publish to Redis failed')
      this.#failing = true
      return isUnsent(error) ? 'unsent' : 'maybe-lost'
    }
  }
}

// ioredis's rejection for a command refused before writing (enableOfflineQueue: false).
function isUnsent(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("Stream isn't writeable")
}
