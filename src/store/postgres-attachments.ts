/** PostgreSQL's side of appends with attachments: lock the files' rows, then claim them for their messages, inside the batch's transaction. */
import type { PoolClient } from 'pg'
import type { AppendInput, StoredFile } from '../domain/ports.js'
import { FILE_COLUMNS, toStoredFile, type FileRow } from './file-rows.js'
import type { Fresh } from './postgres-insert.js'

/**
 * The live rows of every file the appends name, locked until commit: a concurrent batch claiming
 * the same file, or the janitor dooming it, waits and then sees this batch's outcome.
 */
export async function lockFiles(
  client: PoolClient,
  inputs: readonly AppendInput[],
): Promise<Map<string, StoredFile>> {
  const ids = [...new Set(inputs.flatMap((i) => i.attachments ?? []))].sort()
  if (ids.length === 0) return new Map()
  const result = await client.query<FileRow & { doomed_at: number | null }>(
    `select ${FILE_COLUMNS.join(', ')}, doomed_at from files where id = any($1::text[])
     order by id for update`,
    [ids],
  )
  return new Map(
    result.rows.filter((row) => row.doomed_at === null).map((row) => [row.id, toStoredFile(row)]),
  )
}

/** Marks each new message's files as its own and stores their objects on the message. */
export async function claimFiles(client: PoolClient, fresh: readonly Fresh[]): Promise<void> {
  const claiming = fresh.flatMap((f) =>
    f.event.type === 'message' && f.event.attachments !== undefined
      ? [{ room: f.event.room, seq: f.seq, attachments: f.event.attachments }]
      : [],
  )
  if (claiming.length === 0) return
  const ids = claiming.flatMap((f) => f.attachments.map((a) => a.id))
  const seqs = claiming.flatMap((f) => f.attachments.map(() => f.seq))
  await client.query(
    `update files set message_seq = v.seq from unnest($1::text[], $2::bigint[]) as v(id, seq)
     where files.id = v.id`,
    [ids, seqs],
  )
  await client.query(
    `update messages set attachments = v.attachments::jsonb
     from unnest($1::text[], $2::bigint[], $3::text[]) as v(room, seq, attachments)
     where messages.room = v.room and messages.seq = v.seq`,
    [
      claiming.map((f) => f.room),
      claiming.map((f) => f.seq),
      claiming.map((f) => JSON.stringify(f.attachments)),
    ],
  )
}

/** Deleted messages' files go with them: doomed here, their blobs deleted by the janitor. */
export async function doomFiles(
  client: PoolClient,
  deleted: ReadonlyArray<{
    readonly room: string
    readonly seq: number
    readonly deletedAt?: number
  }>,
): Promise<void> {
  await client.query(
    `update files f set doomed_at = v.at
     from unnest($1::text[], $2::bigint[], $3::bigint[]) as v(room, seq, at)
     where f.room = v.room and f.message_seq = v.seq and f.doomed_at is null`,
    [deleted.map((d) => d.room), deleted.map((d) => d.seq), deleted.map((d) => d.deletedAt ?? 0)],
  )
}
