/**
 * SQLite's append hot path: appends (and message changes) queue in memory and commit together in
 * one transaction (group commit), because one fsync'd transaction per message caps throughput at
 * the disk's latency.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { ChatError } from '../domain/errors.js'
import {
  refusedAsUnstorable,
  settle,
  type AppendOutcome,
  type PendingWrite,
} from './append-queue.js'
import type {
  AppendInput,
  AppendResult,
  MessageChangeInput,
  MessageChangeResult,
} from '../domain/ports.js'
import { isRowError } from './row-errors.js'
import { SqliteWrites, type BatchSeqs } from './sqlite-writes.js'

/** A full queue flushes at once instead of waiting for the next turn of the event loop. */
export const MAX_BATCH = 512

export class SqliteGroupCommit {
  #queue: PendingWrite[] = []
  #scheduled = false
  #closed = false
  readonly #commitBatch: (batch: readonly PendingWrite[]) => AppendOutcome[]

  constructor(private readonly db: BetterSqlite3.Database) {
    const writes = new SqliteWrites(db)
    const setLastSeq = db.prepare<[number, string]>('update rooms set last_seq = ? where name = ?')

    const transaction = db.transaction((batch: readonly PendingWrite[]): AppendOutcome[] => {
      const seqs: BatchSeqs = new Map()
      const outcomes = batch.map((pending): AppendOutcome => {
        const refused = refusedAsUnstorable(pending.input)
        if (refused !== undefined) return refused
        return pending.kind === 'change'
          ? writes.change(pending.input, seqs)
          : writes.message(pending.input, seqs)
      })
      for (const [room, seq] of seqs) setLastSeq.run(seq, room)
      return outcomes
    })
    // BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once with
    // SQLITE_BUSY when another process wrote in between; an immediate one waits (busy_timeout).
    this.#commitBatch = (batch) => transaction.immediate(batch)
  }

  append(input: AppendInput): Promise<AppendResult> {
    if (this.#closed)
      return Promise.reject(new ChatError('store_unavailable', 'The store is closed.'))
    return new Promise<AppendResult>((resolve, reject) => {
      this.#enqueue({ input, resolve, reject })
    })
  }

  /** An edit, delete or reaction: in the same queue, so its seq is taken in order with messages. */
  change(input: MessageChangeInput): Promise<MessageChangeResult> {
    if (this.#closed)
      return Promise.reject(new ChatError('store_unavailable', 'The store is closed.'))
    return new Promise<MessageChangeResult>((resolve, reject) => {
      this.#enqueue({ kind: 'change', input, resolve, reject })
    })
  }

  #enqueue(pending: PendingWrite): void {
    this.#queue.push(pending)
    if (this.#queue.length >= MAX_BATCH) this.#flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        this.#flush()
      })
    }
  }

  /** Commits everything queued; after `close` new appends are refused. */
  close(): void {
    this.#flush()
    this.#closed = true
    // Only left when a transaction from elsewhere is still open (closing mid-migration).
    const stranded = this.#queue
    this.#queue = []
    const failure = new ChatError('store_unavailable', 'The store closed before this append.')
    for (const pending of stranded) pending.reject(failure)
  }

  #flush(): void {
    if (this.#queue.length === 0) return
    // A transaction opened elsewhere on this connection (migrations) would swallow ours as a
    // savepoint and commit it late; wait for it to finish instead.
    if (this.db.inTransaction) {
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => {
          this.#scheduled = false
          this.#flush()
        })
      }
      return
    }
    const batch = this.#queue
    this.#queue = []
    this.#commitIsolating(batch)
  }

  /**
   * When the engine refuses one row's values, the batch is halved until that row stands alone:
   * it fails by itself (unstorable) and every other append still commits, in queue order.
   */
  #commitIsolating(batch: readonly PendingWrite[]): void {
    let outcomes: AppendOutcome[]
    try {
      outcomes = this.#commitBatch(batch)
    } catch (error) {
      if (isRowError(error) && batch.length > 1) {
        const half = Math.ceil(batch.length / 2)
        this.#commitIsolating(batch.slice(0, half))
        this.#commitIsolating(batch.slice(half))
        return
      }
      const failure = isRowError(error)
        ? new ChatError('unstorable', undefined, { cause: error })
        : new ChatError('store_unavailable', undefined, { cause: error })
      for (const pending of batch) pending.reject(failure)
      return
    }
    settle(batch, outcomes)
  }
}
