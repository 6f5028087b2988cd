/** A Store wrapper for domain unit tests whose reads (messagesAfter) the test can break, count and slow. */
import { ChatError } from '../../src/domain/errors.js'
import type { Store } from '../../src/domain/ports.js'
import type { ChatMessage } from '../../src/protocol/frames.js'

export interface StoreControl {
  readonly store: Store
  readonly reads: Array<{ afterSeq: number; limit: number }>
  /** The next `failures` reads reject with store_unavailable; Infinity breaks reads until reset. */
  failures: number
  /** Each read first awaits this, so live messages can arrive mid-read. */
  before: () => Promise<void>
  /** Rewrites what a read returns (a lagging or broken store). */
  transform: (page: ChatMessage[]) => ChatMessage[]
}

export function controlReads(inner: Store): StoreControl {
  const control: StoreControl = {
    reads: [],
    failures: 0,
    before: () => Promise.resolve(),
    transform: (page) => page,
    store: {
      ...inner,
      messagesAfter: async (room, afterSeq, limit) => {
        control.reads.push({ afterSeq, limit })
        await control.before()
        if (control.failures > 0) {
          control.failures -= 1
          throw new ChatError('store_unavailable')
        }
        return control.transform(await inner.messagesAfter(room, afterSeq, limit))
      },
    },
  }
  return control
}
