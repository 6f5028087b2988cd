/**
 * PostgreSQL's append hot path: queued appends commit together in one transaction of a few
 * set-based statements, so each commit (and its WAL flush) serves a batch instead of one message.
 */
import type { Pool, PoolClient } from 'pg'
import { ChatError } from '../domain/errors.js'
import {
  refusedAsUnstorable,
  settle,
  type AppendOutcome,
  type PendingAppend,
} from './append-queue.js'
import type { AppendInput, AppendResult, StoredFile } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import type { MessageFrame } from '../protocol/frames.js'
import { claimAttachments } from './file-rows.js'
import { claimFiles, lockFiles } from './postgres-attachments.js'
import { isRowError } from './row-errors.js'
import { toChatMessage, type MessageRow } from './schema.js'

/** Bounds one transaction's statements; more queued appends go in the next batch. */
export const MAX_BATCH = 2048

export class PostgresGroupCommit {
  #queue: PendingAppend[] = []
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
  async #commitIsolating(batch: readonly PendingAppend[]): Promise<void> {
    try {
      settle(batch, await this.#commit(batch.map((p) => p.input)))
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

  async #commit(inputs: readonly AppendInput[]): Promise<AppendOutcome[]> {
    const client = await this.pool.connect()
    let broken = false
    try {
      await client.query('begin')
      const outcomes = await assign(client, inputs)
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

type Fresh = Array<{
  readonly input: AppendInput
  readonly seq: number
  readonly attachments?: FileView[]
}>

async function assign(
  client: PoolClient,
  inputs: readonly AppendInput[],
): Promise<AppendOutcome[]> {
  // Refused rows (planBatch answers them) must not reach a query either: one U+0000 fails it.
  const storable = inputs.filter((i) => refusedAsUnstorable(i) === undefined)
  const roomNames = [...new Set(storable.map((i) => i.room))].sort()
  // Row locks taken in name order: batches touching the same rooms queue, never deadlock.
  // Holding every touched room's lock also makes the cid checks below race-free.
  const locked = await client.query<{ name: string; last_seq: number }>(
    'select name, last_seq from rooms where name = any($1::text[]) order by name for update',
    [roomNames],
  )
  const lastSeqs = new Map(locked.rows.map((r) => [r.name, Number(r.last_seq)]))

  // Appends with attachments (rare) learn of their earlier copies first: a repeat must answer
  // with its first copy, not fail on files that copy already holds. Their files are row-locked.
  const withFiles = storable.filter((i) => (i.attachments?.length ?? 0) > 0)
  const files = await lockFiles(client, withFiles)
  const repeats =
    withFiles.length > 0 ? await earlierCopies(client, withFiles) : new Map<string, MessageFrame>()

  // Optimistic path: a repeated cid is rare (a client retrying), so insert first and only look
  // for earlier copies when the unique key says one exists, then redo the batch with them.
  let plan = planBatch(inputs, lastSeqs, repeats, files)
  if (plan.fresh.length > 0) {
    await client.query('savepoint optimistic')
    const inserted = await insert(client, plan.fresh, 'on conflict (room, user_id, cid) do nothing')
    if (inserted !== plan.fresh.length) {
      await client.query('rollback to savepoint optimistic')
      plan = planBatch(inputs, lastSeqs, await earlierCopies(client, storable), files)
      await insert(client, plan.fresh, '')
    }
    await claimFiles(client, plan.fresh)
  }
  const touched = [...new Set(plan.fresh.map((f) => f.input.room))]
  if (touched.length > 0) {
    await client.query(
      `update rooms set last_seq = v.seq from unnest($1::text[], $2::bigint[]) as v(name, seq)
       where rooms.name = v.name`,
      [touched, touched.map((room) => plan.lastSeqs.get(room) ?? 0)],
    )
  }
  return plan.outcomes
}

/**
 * Assigns seqs in queue order; `known` holds stored first copies by (room, user, cid), `files`
 * the live, locked rows of the files the batch's appends want to attach.
 */
function planBatch(
  inputs: readonly AppendInput[],
  startSeqs: ReadonlyMap<string, number>,
  known: Map<string, MessageFrame>,
  files: ReadonlyMap<string, StoredFile>,
): { outcomes: AppendOutcome[]; fresh: Fresh; lastSeqs: Map<string, number> } {
  const lastSeqs = new Map(startSeqs)
  const fresh: Fresh = []
  const claimed = new Set<string>()
  const outcomes = inputs.map((input): AppendOutcome => {
    const refused = refusedAsUnstorable(input)
    if (refused !== undefined) return refused
    const k = key(input.room, input.userId, input.cid)
    const first = known.get(k)
    if (first !== undefined) return { message: first, created: false }
    const last = lastSeqs.get(input.room)
    if (last === undefined) return new ChatError('room_not_found')
    let attachments: FileView[] | undefined
    if ((input.attachments?.length ?? 0) > 0) {
      const checked = claimAttachments(input, files, claimed)
      if (checked instanceof ChatError) return checked
      attachments = checked
    }
    const seq = last + 1
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
    if (attachments !== undefined) message.attachments = attachments
    // Later duplicates in this same batch answer with this copy.
    known.set(k, message)
    fresh.push(attachments === undefined ? { input, seq } : { input, seq, attachments })
    return { message, created: true }
  })
  return { outcomes, fresh, lastSeqs }
}

async function earlierCopies(
  client: PoolClient,
  inputs: readonly AppendInput[],
): Promise<Map<string, MessageFrame>> {
  const existing = await client.query<MessageRow & { user_id: string }>(
    `select m.room, m.seq, m.id, m.user_id, m.username, m.text, m.cid, m.ts, m.previews,
            m.attachments
     from messages m
     join unnest($1::text[], $2::text[], $3::text[]) as k(room, user_id, cid)
       on m.room = k.room and m.user_id = k.user_id and m.cid = k.cid`,
    [inputs.map((i) => i.room), inputs.map((i) => i.userId), inputs.map((i) => i.cid)],
  )
  return new Map(
    existing.rows.map((row) => [key(row.room, row.user_id, row.cid), toChatMessage(row)]),
  )
}

/** One statement for the whole batch; resolves with the number of rows stored. */
async function insert(client: PoolClient, fresh: Fresh, onConflict: string): Promise<number> {
  const result = await client.query(
    `insert into messages (room, seq, id, user_id, username, text, cid, ts)
     select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                          $6::text[], $7::text[], $8::bigint[])
     ${onConflict}`,
    [
      fresh.map((f) => f.input.room),
      fresh.map((f) => f.seq),
      fresh.map((f) => f.input.id),
      fresh.map((f) => f.input.userId),
      fresh.map((f) => f.input.username),
      fresh.map((f) => f.input.text),
      fresh.map((f) => f.input.cid),
      fresh.map((f) => f.input.ts),
    ],
  )
  return result.rowCount ?? 0
}

function key(room: string, userId: string, cid: string): string {
  return JSON.stringify([room, userId, cid])
}
