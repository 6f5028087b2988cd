/**
 * PostgreSQL's append hot path: queued appends commit together in one transaction of a few
 * set-based statements, so throughput is a batch per round trip instead of a message per round trip.
 */
import type { Pool, PoolClient } from 'pg'
import { ChatError } from '../domain/errors.js'
import type { AppendInput, AppendResult } from '../domain/ports.js'
import type { ChatMessage } from '../protocol/frames.js'
import { toChatMessage, type MessageRow } from './schema.js'

/** Bounds one transaction's statements; more queued appends go in the next batch. */
export const MAX_BATCH = 2048

interface Pending {
  readonly input: AppendInput
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

type Outcome = AppendResult | ChatError

export class PostgresGroupCommit {
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
  private closed = false

  constructor(private readonly pool: Pool) {}

  append(input: AppendInput): Promise<AppendResult> {
    if (this.closed)
      return Promise.reject(new ChatError('store_unavailable', 'The store is closed.'))
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ input, resolve, reject })
      // While a batch is in flight, new appends wait and ride the next one together.
      this.flushing ??= this.drain()
    })
  }

  /** Commits everything queued, then refuses new appends. */
  async close(): Promise<void> {
    this.closed = true
    await this.flushing
  }

  private async drain(): Promise<void> {
    // Let the current turn of the event loop queue its appends first.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH)
      let outcomes: Outcome[]
      try {
        outcomes = await this.commit(batch.map((p) => p.input))
      } catch (error) {
        const failure = new ChatError('store_unavailable', undefined, { cause: error })
        for (const pending of batch) pending.reject(failure)
        continue
      }
      batch.forEach((pending, i) => {
        const outcome = outcomes[i]
        if (outcome === undefined || outcome instanceof ChatError) pending.reject(outcome)
        else pending.resolve(outcome)
      })
    }
    this.flushing = undefined
  }

  private async commit(inputs: readonly AppendInput[]): Promise<Outcome[]> {
    const client = await this.pool.connect()
    let broken = false
    try {
      await client.query('begin')
      const outcomes = await assign(client, inputs)
      await client.query('commit')
      return outcomes
    } catch (error) {
      broken = true
      await client.query('rollback').catch(() => undefined)
      throw error
    } finally {
      // A connection that failed mid-transaction is discarded rather than reused.
      client.release(broken)
    }
  }
}

async function assign(client: PoolClient, inputs: readonly AppendInput[]): Promise<Outcome[]> {
  const roomNames = [...new Set(inputs.map((i) => i.room))].sort()
  // Row locks taken in name order: batches touching the same rooms queue, never deadlock.
  // Holding the room's lock also makes the cid check below race-free.
  const locked = await client.query<{ name: string; last_seq: number }>(
    'select name, last_seq from rooms where name = any($1::text[]) order by name for update',
    [roomNames],
  )
  const lastSeqs = new Map(locked.rows.map((r) => [r.name, Number(r.last_seq)]))
  const existing = await client.query<MessageRow & { user_id: string }>(
    `select m.room, m.seq, m.id, m.user_id, m.username, m.text, m.cid, m.ts, m.previews
     from messages m
     join unnest($1::text[], $2::text[], $3::text[]) as k(room, user_id, cid)
       on m.room = k.room and m.user_id = k.user_id and m.cid = k.cid`,
    [inputs.map((i) => i.room), inputs.map((i) => i.userId), inputs.map((i) => i.cid)],
  )
  const byKey = new Map<string, ChatMessage>(
    existing.rows.map((row) => [key(row.room, row.user_id, row.cid), toChatMessage(row)]),
  )
  const fresh: Array<{ input: AppendInput; seq: number }> = []
  const outcomes = inputs.map((input): Outcome => {
    const k = key(input.room, input.userId, input.cid)
    const first = byKey.get(k)
    if (first !== undefined) return { message: first, created: false }
    const last = lastSeqs.get(input.room)
    if (last === undefined) return new ChatError('room_not_found')
    const seq = last + 1
    lastSeqs.set(input.room, seq)
    const message: ChatMessage = {
      room: input.room,
      seq,
      id: input.id,
      user: input.username,
      text: input.text,
      ts: input.ts,
      cid: input.cid,
    }
    // Later duplicates in this same batch answer with this copy.
    byKey.set(k, message)
    fresh.push({ input, seq })
    return { message, created: true }
  })
  if (fresh.length === 0) return outcomes
  await client.query(
    `insert into messages (room, seq, id, user_id, username, text, cid, ts)
     select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                          $6::text[], $7::text[], $8::bigint[])`,
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
  const touched = [...new Set(fresh.map((f) => f.input.room))]
  await client.query(
    `update rooms set last_seq = v.seq from unnest($1::text[], $2::bigint[]) as v(name, seq)
     where rooms.name = v.name`,
    [touched, touched.map((room) => lastSeqs.get(room) ?? 0)],
  )
  return outcomes
}

function key(room: string, userId: string, cid: string): string {
  return JSON.stringify([room, userId, cid])
}
