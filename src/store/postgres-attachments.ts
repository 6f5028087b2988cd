/** PostgreSQL's side of appends with attachments: lock the files' rows, then claim them for their messages, inside the batch's transaction. */
import type { PoolClient } from 'pg'
import type { AppendInput, StoredFile } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import { FILE_COLUMNS, toStoredFile, type FileRow } from './file-rows.js'

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

/** Marks each stored append's files as its message's and stores their objects on the message. */
export async function claimFiles(
  client: PoolClient,
  fresh: ReadonlyArray<{
    readonly input: AppendInput
    readonly seq: number
    readonly attachments?: FileView[]
  }>,
): Promise<void> {
  const claiming = fresh.filter((f) => f.attachments !== undefined)
  if (claiming.length === 0) return
  const ids = claiming.flatMap((f) => (f.attachments ?? []).map((a) => a.id))
  const seqs = claiming.flatMap((f) => (f.attachments ?? []).map(() => f.seq))
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
      claiming.map((f) => f.input.room),
      claiming.map((f) => f.seq),
      claiming.map((f) => JSON.stringify(f.attachments)),
    ],
  )
}
