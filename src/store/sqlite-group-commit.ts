/**
 * SQLite's append hot path: appends queue in memory and commit together in one transaction
 * (group commit), because one fsync'd transaction per message caps throughput at the disk's latency.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { ChatError } from '../domain/errors.js'
import {
  refusedAsUnstorable,
  settle,
  type AppendOutcome,
  type PendingAppend,
} from './append-queue.js'
import type { AppendInput, AppendResult } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import type { MessageFrame } from '../protocol/frames.js'
import { isRowError } from './row-errors.js'
import { toChatMessage, type MessageRow } from './schema.js'
import { SqliteAttachments } from './sqlite-attachments.js'

/** A full queue flushes at once instead of waiting for the next turn of the event loop. */
export const MAX_BATCH = 512

export class SqliteGroupCommit {
  #queue: PendingAppend[] = []
  #scheduled = false
  #closed = false
  readonly #commitBatch: (batch: readonly PendingAppend[]) => AppendOutcome[]

  constructor(private readonly db: BetterSqlite3.Database) {
    const findByCid = db.prepare<[string, string, string], MessageRow>(
      `select room, seq, id, username, text, cid, ts, previews, attachments
       from messages where room = ? and user_id = ? and cid = ?`,
    )
    const findLastSeq = db.prepare<[string], { last_seq: number }>(
      'select last_seq from rooms where name = ?',
    )
    const insert = db.prepare<[string, number, string, string, string, string, string, number]>(
      `insert into messages (room, seq, id, user_id, username, text, cid, ts)
       values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (room, user_id, cid) do nothing`,
    )
    const setLastSeq = db.prepare<[number, string]>('update rooms set last_seq = ? where name = ?')
    const attachments = new SqliteAttachments(db)

    const transaction = db.transaction((batch: readonly PendingAppend[]): AppendOutcome[] => {
      // The batch's view of each room's last seq; written back once per room at the end.
      const lastSeqs = new Map<string, number>()
      // Files attached by earlier appends of this batch.
      const claimed = new Set<string>()
      const outcomes = batch.map(({ input }): AppendOutcome => {
        const refused = refusedAsUnstorable(input)
        if (refused !== undefined) return refused
        let last = lastSeqs.get(input.room)
        if (last === undefined) {
          const room = findLastSeq.get(input.room)
          if (room === undefined) return new ChatError('room_not_found')
          last = room.last_seq
        }
        let views: FileView[] | undefined
        if (input.attachments !== undefined && input.attachments.length > 0) {
          // A repeat answers with its first copy before its (now claimed) files are checked.
          const existing = findByCid.get(input.room, input.userId, input.cid)
          if (existing !== undefined) return { message: toChatMessage(existing), created: false }
          const checked = attachments.check(input, claimed)
          if (checked instanceof ChatError) return checked
          views = checked
        }
        const seq = last + 1
        // Insert first and look for the earlier copy only on a clash: repeats are rare, and the
        // seq is only taken when a row was stored.
        const { changes } = insert.run(
          input.room,
          seq,
          input.id,
          input.userId,
          input.username,
          input.text,
          input.cid,
          input.ts,
        )
        if (changes === 0) {
          const existing = findByCid.get(input.room, input.userId, input.cid)
          if (existing === undefined) throw new Error('A clashing insert left no earlier copy')
          return { message: toChatMessage(existing), created: false }
        }
        lastSeqs.set(input.room, seq)
        const message: MessageFrame = {
          type: 'message',
          room: input.room,
          seq,
          id: input.id,
          user: input.username,
          text: input.text,
          ts: input.ts,
          cid: input.cid,
        }
        if (views !== undefined) {
          attachments.claim(input, seq, views)
          message.attachments = views
        }
        return { message, created: true }
      })
      for (const [room, seq] of lastSeqs) setLastSeq.run(seq, room)
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
      this.#queue.push({ input, resolve, reject })
      if (this.#queue.length >= MAX_BATCH) this.#flush()
      else if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => {
          this.#scheduled = false
          this.#flush()
        })
      }
    })
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
  #commitIsolating(batch: readonly PendingAppend[]): void {
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
