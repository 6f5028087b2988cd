/** File records as rows, and the one rule every Store applies when an append claims attachments. */
import { ChatError } from '../domain/errors.js'
import type { AppendInput, StoredFile } from '../domain/ports.js'
import { toFileView } from '../domain/file-view.js'
import type { FileView } from '../protocol/files.js'
import type { FilesTable } from './schema.js'

export type FileRow = Omit<FilesTable, 'doomed_at'>

export const FILE_COLUMNS = [
  'id',
  'room',
  'uploader_id',
  'name',
  'size',
  'type',
  'width',
  'height',
  'created_at',
  'message_seq',
] as const

export function toStoredFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    room: row.room,
    uploaderId: row.uploader_id,
    name: row.name,
    size: Number(row.size),
    type: row.type,
    width: row.width === null ? null : Number(row.width),
    height: row.height === null ? null : Number(row.height),
    createdAt: Number(row.created_at),
    messageSeq: row.message_seq === null ? null : Number(row.message_seq),
  }
}

/**
 * The file objects an append may attach, in the order asked, or why it may not: every id names
 * a live file (`files` holds only those) of the same room and uploader that no message holds yet,
 * nor an earlier append of the same batch (`claimed`, which this adds the ids to on success).
 */
export function claimAttachments(
  input: AppendInput,
  files: ReadonlyMap<string, StoredFile>,
  claimed: Set<string>,
): FileView[] | ChatError {
  const ids = input.attachments ?? []
  const views: FileView[] = []
  for (const id of ids) {
    const file = files.get(id)
    if (
      file === undefined ||
      file.room !== input.room ||
      file.uploaderId !== input.userId ||
      file.messageSeq !== null ||
      claimed.has(id)
    ) {
      return new ChatError('invalid_attachment')
    }
    views.push(toFileView(file))
  }
  if (new Set(ids).size !== ids.length) return new ChatError('invalid_attachment')
  for (const id of ids) claimed.add(id)
  return views
}
