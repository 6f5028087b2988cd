/**
 * The one insert statement of a PostgreSQL group commit: plain messages (the hot path) keep the
 * eight columns they always had; a batch with replies, mentions or change events names them all.
 */
import type { PoolClient } from 'pg'
import type { AppendInput, MessageChangeInput } from '../domain/ports.js'
import type { RoomLogEvent } from '../protocol/frames.js'
import { eventData, jsonOrNull } from './schema.js'

export interface Fresh {
  readonly input: AppendInput | MessageChangeInput
  readonly seq: number
  readonly event: RoomLogEvent
}

/** Resolves with the number of rows stored. */
export async function insertRows(
  client: PoolClient,
  fresh: readonly Fresh[],
  onConflict: string,
): Promise<number> {
  const common = [
    fresh.map((f) => f.input.room),
    fresh.map((f) => f.seq),
    fresh.map((f) => f.input.id),
    fresh.map((f) => f.input.userId),
    fresh.map((f) => f.input.username),
    fresh.map((f) => ('text' in f.input ? f.input.text : '')),
    fresh.map((f) => f.input.cid),
    fresh.map((f) => f.input.ts),
  ]
  if (fresh.every(isPlainMessage)) {
    const result = await client.query(
      `insert into messages (room, seq, id, user_id, username, text, cid, ts)
       select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                            $6::text[], $7::text[], $8::bigint[])
       ${onConflict}`,
      common,
    )
    return result.rowCount ?? 0
  }
  const result = await client.query(
    `insert into messages (room, seq, id, user_id, username, text, cid, ts, type, data, target,
                           reply_to, mentions)
     select room, seq, id, user_id, username, text, cid, ts, type, data::jsonb, target, reply_to,
            mentions::jsonb
     from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::text[], $8::bigint[], $9::text[], $10::text[], $11::bigint[], $12::bigint[],
                 $13::text[])
       as v(room, seq, id, user_id, username, text, cid, ts, type, data, target, reply_to, mentions)
     ${onConflict}`,
    [
      ...common,
      fresh.map((f) => f.event.type),
      fresh.map((f) => (f.event.type === 'message' ? null : eventData(f.event))),
      fresh.map((f) => ('target' in f.input ? f.input.target : null)),
      fresh.map((f) => ('replyTo' in f.input ? (f.input.replyTo ?? null) : null)),
      fresh.map((f) => ('change' in f.input ? null : jsonOrNull(f.input.mentions))),
    ],
  )
  return result.rowCount ?? 0
}

function isPlainMessage(fresh: Fresh): boolean {
  const input = fresh.input
  if ('change' in input) return false
  return (
    input.replyTo === undefined && (input.mentions === undefined || input.mentions.length === 0)
  )
}
