/**
 * PostgreSQL's append hot path: queued appends (and message changes) commit together in one
 * transaction of a few set-based statements (postgres-batch.ts), so each commit (and its WAL
 * flush) serves a batch instead of one message.
 */
import type { Pool } from 'pg'
import { ChatError } from '../domain/errors.js'
import { settle, type AppendOutcome, type PendingWrite } from './append-queue.js'
import type {
  AppendInput,
  AppendResult,
  MessageChangeInput,
  MessageChangeResult,
} from '../domain/ports.js'
import { assign } from './postgres-batch.js'
import { isRowError } from './row-errors.js'

/** Bounds one transaction's statements; more queued appends go in the next batch. */
export const MAX_BATCH = 2048

export class PostgresGroupCommit {
  #queue: PendingWrite[] = []
  #flushing: Promise<void> | undefined
  #closed = false

  constructor(private readonly pool: Pool) {}

  append(input: AppendInput): Promise<AppendResult> {
    if (this.#closed)
      return Promise.reject(new ChatError('store_unavailable', 'The store is closed.'))
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject })
      // While a batch is in flight, new appends wait and ride the next one together.
      this.#flushing ??= this.#drain()
    })
  }

  /** An edit, delete or reaction: in the same queue, so its seq is taken in order with messages. */
  change(input: MessageChangeInput): Promise<MessageChangeResult> {
    if (this.#closed)
      return Promise.reject(new ChatError('store_unavailable', 'The store is closed.'))
    return new Promise<MessageChangeResult>((resolve, reject) => {
      this.#queue.push({ kind: 'change', input, resolve, reject })
      this.#flushing ??= this.#drain()
    })
  }

  /** Commits everything queued, then refuses new appends. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#flushing
  }

  async #drain(): Promise<void> {
    // Let the current turn of the event loop queue its appends first.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#queue.length > 0) await this.#commitIsolating(this.#queue.splice(0, MAX_BATCH))
    this.#flushing = undefined
  }

  /**
   * Commits a batch; when the engine refuses a row's values, halves the batch until that row
   * stands alone, so it fails by itself (unstorable) and every other append still commits, in
   * queue order. A batch with one bad row costs about 2·log2(size) extra commits.
   */
  async #commitIsolating(batch: readonly PendingWrite[]): Promise<void> {
    try {
      settle(batch, await this.#commit(batch))
    } catch (error) {
      if (isRowError(error) && batch.length > 1) {
        const half = Math.ceil(batch.length / 2)
        await this.#commitIsolating(batch.slice(0, half))
        await this.#commitIsolating(batch.slice(half))
        return
      }
      const failure = isRowError(error)
        ? new ChatError('unstorable', undefined, { cause: error })
        : new ChatError('store_unavailable', undefined, { cause: error })
      for (const pending of batch) pending.reject(failure)
    }
  }

  async #commit(batch: readonly PendingWrite[]): Promise<AppendOutcome[]> {
    const client = await this.pool.connect()
    let broken = false
    try {
      await client.query('begin')
      const outcomes = await assign(client, batch)
      await client.query('commit')
      return outcomes
    } catch (error) {
      // A row's bad value leaves the connection sound once rolled back; anything else may not.
      broken = !isRowError(error)
      await client.query('rollback').catch(() => {
        broken = true
      })
      throw error
    } finally {
      // A connection that failed mid-transaction is discarded rather than reused.
      client.release(broken)
    }
  }
}
