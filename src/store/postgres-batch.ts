/**
 * What one PostgreSQL group commit writes, in a few set-based statements: the batch's new rows
 * (messages, and edit, delete and reaction events) with seqs assigned in queue order, then the
 * final state of every message the batch changed (message-change.ts decides each change).
 */
import type { PoolClient } from 'pg'
import { ChatError } from '../domain/errors.js'
import type { AppendInput, MessageChangeInput, StoredFile } from '../domain/ports.js'
import type { DeleteEventFrame, Reactions, RoomLogEvent } from '../protocol/frames.js'
import {
  newMessage,
  refusedAsUnstorable,
  type AppendOutcome,
  type PendingChange,
  type PendingWrite,
} from './append-queue.js'
import { claimAttachments } from './file-rows.js'
import { claimFiles, doomFiles, lockFiles } from './postgres-attachments.js'
import { insertRows, type Fresh } from './postgres-insert.js'
import {
  afterWrite,
  changeEvent,
  cidReused,
  DELETED_BEFORE,
  planChange,
  repeatOf,
  type TargetState,
} from './message-change.js'
import {
  ERASED_EDIT_DATA,
  jsonOrNull,
  LOG_COLUMNS,
  parseReactions,
  toLogEvent,
  type LogRow,
} from './schema.js'

/** Where the batch leaves one changed message (the last change wins; a delete erases). */
interface TargetFinal {
  readonly room: string
  readonly seq: number
  edit?: { text: string; mentions: string | null; editedAt: number }
  reactions?: Reactions
  deletedAt?: number
}

interface Plan {
  readonly outcomes: AppendOutcome[]
  readonly fresh: Fresh[]
  readonly lastSeqs: Map<string, number>
  readonly finals: Map<string, TargetFinal>
}

/** What the changes of a batch need read before planning; empty for a batch of messages only. */
interface ChangeState {
  readonly targets: ReadonlyMap<string, TargetState>
  readonly firstDeletes: ReadonlyMap<string, DeleteEventFrame>
}

const NO_CHANGES: ChangeState = { targets: new Map(), firstDeletes: new Map() }

export async function assign(
  client: PoolClient,
  batch: readonly PendingWrite[],
): Promise<AppendOutcome[]> {
  // Refused rows (planBatch answers them) must not reach a query either: one U+0000 fails it.
  const storable = batch.filter((p) => refusedAsUnstorable(p.input) === undefined)
  const roomNames = [...new Set(storable.map((p) => p.input.room))].sort()
  // Row locks taken in name order: batches touching the same rooms queue, never deadlock.
  // Holding every touched room's lock also makes the cid and target reads below race-free.
  const locked = await client.query<{ name: string; last_seq: number }>(
    'select name, last_seq from rooms where name = any($1::text[]) order by name for update',
    [roomNames],
  )
  const lastSeqs = new Map(locked.rows.map((r) => [r.name, Number(r.last_seq)]))
  const changes = storable
    .filter((p): p is PendingChange => p.kind === 'change')
    .map((p) => p.input)
  // Messages with attachments (rare) have their files row-locked, and learn of their earlier
  // copies first: a repeat must answer with its first copy, not fail on files it holds already.
  const withFiles = storable.flatMap((p) =>
    p.kind !== 'change' && (p.input.attachments?.length ?? 0) > 0 ? [p.input] : [],
  )
  const files = await lockFiles(client, withFiles)

  // Changes are rare: their earlier copies and targets are read up front, so a repeated cid is
  // answered before any rule. Messages take the optimistic path: insert first, and only look for
  // earlier copies when the unique key says one exists, then redo the batch with them.
  const readFirst = [...changes, ...withFiles]
  let known = readFirst.length > 0 ? await earlierCopies(client, readFirst) : new Map()
  const state = changes.length > 0 ? await changeState(client, changes) : NO_CHANGES
  let plan = planBatch(batch, lastSeqs, known, state, files)
  if (plan.fresh.length > 0) {
    await client.query('savepoint optimistic')
    const inserted = await insertRows(
      client,
      plan.fresh,
      'on conflict (room, user_id, cid) do nothing',
    )
    if (inserted !== plan.fresh.length) {
      await client.query('rollback to savepoint optimistic')
      known = new Map([
        ...known,
        ...(await earlierCopies(
          client,
          storable.map((p) => p.input),
        )),
      ])
      plan = planBatch(batch, lastSeqs, known, state, files)
      await insertRows(client, plan.fresh, '')
    }
    await claimFiles(client, plan.fresh)
  }
  await writeFinals(client, [...plan.finals.values()])
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
 * the live, locked rows of the files the batch's messages want to attach.
 */
function planBatch(
  batch: readonly PendingWrite[],
  startSeqs: ReadonlyMap<string, number>,
  knownBefore: ReadonlyMap<string, RoomLogEvent>,
  state: ChangeState,
  files: ReadonlyMap<string, StoredFile>,
): Plan {
  const claimed = new Set<string>()
  const lastSeqs = new Map(startSeqs)
  const known = new Map(knownBefore)
  const targets = new Map(state.targets)
  const firstDeletes = new Map(state.firstDeletes)
  const fresh: Fresh[] = []
  const finals = new Map<string, TargetFinal>()
  const outcomes = batch.map((pending): AppendOutcome => {
    const input = pending.input
    const refused = refusedAsUnstorable(input)
    if (refused !== undefined) return refused
    const k = key(input.room, input.userId, input.cid)
    const first = known.get(k)
    if (pending.kind === 'change') {
      if (first !== undefined) {
        const event = repeatOf(first, pending.input)
        return event instanceof ChatError ? event : { event, created: false }
      }
    } else if (first !== undefined) {
      return first.type === 'message' ? { message: first, created: false } : cidReused()
    }
    const last = lastSeqs.get(input.room)
    if (last === undefined) return new ChatError('room_not_found')
    if (pending.kind !== 'change') {
      const attached =
        (pending.input.attachments?.length ?? 0) > 0
          ? claimAttachments(pending.input, files, claimed)
          : undefined
      if (attached instanceof ChatError) return attached
      const message = newMessage(pending.input, last + 1)
      if (attached !== undefined) message.attachments = attached
      lastSeqs.set(input.room, message.seq)
      // Later duplicates in this same batch answer with this copy; later changes may target it.
      known.set(k, message)
      targets.set(at(input.room, message.seq), {
        userId: input.userId,
        deleted: false,
        reactions: {},
      })
      fresh.push({ input: pending.input, seq: message.seq, event: message })
      return { message, created: true }
    }
    const change = pending.input
    const targetKey = at(change.room, change.target)
    const target = targets.get(targetKey)
    const write = planChange(change, target)
    if (write instanceof ChatError) return write
    if (write === DELETED_BEFORE) {
      const firstDelete = firstDeletes.get(targetKey)
      if (firstDelete === undefined) throw new Error('A deleted message has no delete event')
      return { event: firstDelete, created: false }
    }
    const event = changeEvent(change, last + 1)
    lastSeqs.set(change.room, event.seq)
    known.set(k, event)
    if (target !== undefined) targets.set(targetKey, afterWrite(target, write))
    if (event.type === 'delete') firstDeletes.set(targetKey, event)
    fresh.push({ input: change, seq: event.seq, event })
    const final = finals.get(targetKey) ?? { room: change.room, seq: change.target }
    if (write.kind === 'edit') {
      final.edit = {
        text: write.text,
        mentions: jsonOrNull(write.mentions),
        editedAt: write.editedAt,
      }
    } else if (write.kind === 'reactions') final.reactions = write.reactions
    else final.deletedAt = write.deletedAt
    finals.set(targetKey, final)
    return { event, created: true }
  })
  return { outcomes, fresh, lastSeqs, finals }
}

/** Each changed message's final state, in three set-based updates; a delete goes last and erases. */
async function writeFinals(client: PoolClient, finals: readonly TargetFinal[]): Promise<void> {
  const edited = finals.filter((f) => f.edit !== undefined && f.deletedAt === undefined)
  if (edited.length > 0) {
    await client.query(
      `update messages m set text = v.text, mentions = v.mentions::jsonb, edited_at = v.edited_at
       from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
         as v(room, seq, text, mentions, edited_at)
       where m.room = v.room and m.seq = v.seq`,
      [
        edited.map((f) => f.room),
        edited.map((f) => f.seq),
        edited.map((f) => f.edit?.text),
        edited.map((f) => f.edit?.mentions),
        edited.map((f) => f.edit?.editedAt),
      ],
    )
  }
  const reacted = finals.filter((f) => f.reactions !== undefined && f.deletedAt === undefined)
  if (reacted.length > 0) {
    await client.query(
      `update messages m set reactions = v.reactions::jsonb
       from unnest($1::text[], $2::bigint[], $3::text[]) as v(room, seq, reactions)
       where m.room = v.room and m.seq = v.seq`,
      [
        reacted.map((f) => f.room),
        reacted.map((f) => f.seq),
        reacted.map((f) => jsonOrNull(f.reactions)),
      ],
    )
  }
  const deleted = finals.filter((f) => f.deletedAt !== undefined)
  if (deleted.length > 0) {
    const params = [deleted.map((f) => f.room), deleted.map((f) => f.seq)]
    await client.query(
      `update messages m set text = '', mentions = null, previews = null, reactions = null,
         attachments = null, data = null, deleted_at = v.deleted_at
       from unnest($1::text[], $2::bigint[], $3::bigint[]) as v(room, seq, deleted_at)
       where m.room = v.room and m.seq = v.seq`,
      [...params, deleted.map((f) => f.deletedAt)],
    )
    await doomFiles(client, deleted)
    await client.query(
      `update messages m set data = $3::jsonb
       from unnest($1::text[], $2::bigint[]) as v(room, target)
       where m.room = v.room and m.target = v.target and m.type = 'edit'`,
      [...params, ERASED_EDIT_DATA],
    )
  }
}

async function earlierCopies(
  client: PoolClient,
  inputs: ReadonlyArray<AppendInput | MessageChangeInput>,
): Promise<Map<string, RoomLogEvent>> {
  const existing = await client.query<LogRow & { user_id: string }>(
    `select ${LOG_COLUMNS.map((c) => `m.${c}`).join(', ')}, m.user_id
     from messages m
     join unnest($1::text[], $2::text[], $3::text[]) as k(room, user_id, cid)
       on m.room = k.room and m.user_id = k.user_id and m.cid = k.cid`,
    [inputs.map((i) => i.room), inputs.map((i) => i.userId), inputs.map((i) => i.cid)],
  )
  return new Map(existing.rows.map((row) => [key(row.room, row.user_id, row.cid), toLogEvent(row)]))
}

/** The changes' target messages as stored, and the first delete event of each deleted one. */
async function changeState(
  client: PoolClient,
  changes: readonly MessageChangeInput[],
): Promise<ChangeState> {
  const params = [changes.map((c) => c.room), changes.map((c) => c.target)]
  const rows = await client.query<{
    room: string
    seq: number
    user_id: string
    deleted_at: number | null
    reactions: unknown
  }>(
    `select m.room, m.seq, m.user_id, m.deleted_at, m.reactions from messages m
     join (select distinct * from unnest($1::text[], $2::bigint[])) as k(room, seq)
       on m.room = k.room and m.seq = k.seq
     where m.type = 'message'`,
    params,
  )
  const targets = new Map<string, TargetState>()
  for (const row of rows.rows) {
    targets.set(at(row.room, Number(row.seq)), {
      userId: row.user_id,
      deleted: row.deleted_at !== null,
      reactions: parseReactions(row.reactions),
    })
  }
  const firstDeletes = new Map<string, DeleteEventFrame>()
  if ([...targets.values()].some((t) => t.deleted)) {
    const deletes = await client.query<LogRow>(
      `select distinct on (m.room, m.target) ${LOG_COLUMNS.map((c) => `m.${c}`).join(', ')}
       from messages m
       join (select distinct * from unnest($1::text[], $2::bigint[])) as k(room, target)
         on m.room = k.room and m.target = k.target
       where m.type = 'delete'
       order by m.room, m.target, m.seq`,
      params,
    )
    for (const row of deletes.rows) {
      const event = toLogEvent(row)
      if (event.type === 'delete') firstDeletes.set(at(event.room, event.target), event)
    }
  }
  return { targets, firstDeletes }
}

function key(room: string, userId: string, cid: string): string {
  return JSON.stringify([room, userId, cid])
}

function at(room: string, seq: number): string {
  return `${seq}\u0000${room}`
}
